import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { workspaceRoot } from "../config";

/**
 * “New Model from Template”: the architectures of `examples/` (shipped with the extension) and
 * two small starters, written into the workspace and opened.
 */

export interface Template {
  id: string;
  label: string;
  detail: string;
  /** A file of the extension's `examples/` folder, or inline text. */
  example?: string;
  text?: string;
  fileName: string;
}

const EXERCISE = `import { nn } from "cnn-studio";

/**
 * Exercise: this LeNet-5 for 28×28 MNIST digits has a shape error, underlined below, and its
 * message names the numbers that do not fit. Fix the first linear layer (hint: two 5×5
 * convolutions without padding and two 2×2 poolings turn 28×28 into 4×4). The shapes after
 * each layer show how the image shrinks.
 *  @input [N, 1, 28, 28] */
export const lenetExercise = nn.Sequential(
  nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
  nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
  nn.Flatten(),
  nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
  nn.Linear(120, 84), nn.ReLU(),
  nn.Linear(84, 10),
);
`;

const STARTER = `import { nn, torch, type Tensor } from "cnn-studio";

/** A small convolutional network for 32×32 colour images (CIFAR-10). Change it and watch the
 *  shapes, parameters and MACs follow. */
export class MyNet extends nn.Module {
  features = nn.Sequential(
    nn.Conv2d(3, 32, 3, { padding: 1 }), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, { padding: 1 }), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
  );
  classifier = nn.Sequential(nn.Dropout(0.25), nn.Linear(64 * 8 * 8, 10));

  forward(x: Tensor): Tensor {
    x = this.features(x);
    x = torch.flatten(x, 1);
    return this.classifier(x);
  }
}

/** The model, for 32×32 RGB images.
 *  @input [N, 3, 32, 32] */
export const myNet = new MyNet();
`;

export const TEMPLATES: readonly Template[] = [
  {
    id: "lenet5",
    label: "LeNet-5",
    detail: "LeCun et al. 1998 — two 5×5 convolutions, three linear layers; 28×28 or 32×32 grey images (61K parameters)",
    example: "lenet5.ts",
    fileName: "lenet5.ts",
  },
  {
    id: "simple-cnn",
    label: "SimpleCNN",
    detail: "Three convolution blocks for 32×32 colour images (trains on the bundled Shapes-10 sample, or CIFAR-10)",
    example: "simple-cnn.ts",
    fileName: "simple-cnn.ts",
  },
  { id: "mnist-cnn", label: "MNIST CNN", detail: "A compact CNN for 28×28 digits", example: "mnist-cnn.ts", fileName: "mnist-cnn.ts" },
  {
    id: "resnet",
    label: "ResNet-18 / 34 / 50 / 101 / 152",
    detail: "He et al. 2015 — residual blocks, torchvision's layout and module names",
    example: "resnet.ts",
    fileName: "resnet.ts",
  },
  {
    id: "mobilenet-v2",
    label: "MobileNet v2",
    detail: "Sandler et al. 2018 — inverted residuals with linear bottlenecks",
    example: "mobilenet-v2.ts",
    fileName: "mobilenet-v2.ts",
  },
  {
    id: "mobilenet-v1",
    label: "MobileNet v1",
    detail: "Howard et al. 2017 — depthwise separable convolutions",
    example: "mobilenet-v1.ts",
    fileName: "mobilenet-v1.ts",
  },
  {
    id: "vgg",
    label: "VGG-11 / 16 / 19 (± BatchNorm)",
    detail: "Simonyan & Zisserman 2014 — configuration tables of 3×3 convolutions",
    example: "vgg.ts",
    fileName: "vgg.ts",
  },
  { id: "alexnet", label: "AlexNet", detail: "Krizhevsky et al. 2012, torchvision's variant", example: "alexnet.ts", fileName: "alexnet.ts" },
  { id: "googlenet", label: "GoogLeNet", detail: "Szegedy et al. 2014 — Inception blocks with torch.cat", example: "googlenet.ts", fileName: "googlenet.ts" },
  { id: "densenet", label: "DenseNet-121", detail: "Huang et al. 2016 — dense blocks named with addModule", example: "densenet.ts", fileName: "densenet.ts" },
  { id: "squeezenet", label: "SqueezeNet 1.0", detail: "Iandola et al. 2016 — fire modules", example: "squeezenet.ts", fileName: "squeezenet.ts" },
  { id: "mnist-resnet", label: "Small ResNet for MNIST", detail: "Residual blocks at 28×28", example: "mnist-resnet.ts", fileName: "mnist-resnet.ts" },
  { id: "starter", label: "Empty starter", detail: "A custom nn.Module with features and a classifier, ready to change", text: STARTER, fileName: "my-net.ts" },
  {
    id: "exercise",
    label: "Exercise: fix a shape error",
    detail: "LeNet-5 with a wrong linear layer — the walkthrough's “fix an error” step",
    text: EXERCISE,
    fileName: "fix-the-error.ts",
  },
];

export function templateText(t: Template, extensionPath: string): string {
  if (t.text !== undefined) return t.text;
  return fs.readFileSync(path.join(extensionPath, "examples", t.example ?? ""), "utf8");
}

/** `name.ts`, `name-2.ts`, … — the first that does not exist in `dir`. */
function freeName(dir: string, fileName: string): string {
  const ext = path.extname(fileName);
  const base = fileName.slice(0, -ext.length);
  for (let k = 1; ; k++) {
    const name = k === 1 ? fileName : `${base}-${k}${ext}`;
    if (!fs.existsSync(path.join(dir, name))) return name;
  }
}

export async function newModelFromTemplate(extensionPath: string, arg: unknown): Promise<vscode.Uri | undefined> {
  const wanted = typeof arg === "object" && arg !== null ? (arg as { template?: unknown }).template : typeof arg === "string" ? arg : undefined;
  let template = TEMPLATES.find((t) => t.id === wanted);
  if (!template) {
    const picked = await vscode.window.showQuickPick(
      TEMPLATES.map((t) => ({ label: t.label, detail: t.detail, template: t })),
      { title: "CNN Studio: New Model from Template", placeHolder: "Choose an architecture to start from", matchOnDetail: true },
    );
    template = picked?.template;
  }
  if (!template) return undefined;
  const text = templateText(template, extensionPath);
  const root = workspaceRoot();
  if (!root) {
    // No folder: an untitled TypeScript document (analysed all the same).
    const doc = await vscode.workspace.openTextDocument({ language: "typescript", content: text });
    await vscode.window.showTextDocument(doc);
    return doc.uri;
  }
  // Next to the active model file, else in the workspace folder.
  const active = vscode.window.activeTextEditor?.document;
  const dir = active && active.uri.scheme === "file" && vscode.workspace.getWorkspaceFolder(active.uri) ? path.dirname(active.uri.fsPath) : root.fsPath;
  const suggested = path.relative(root.fsPath, path.join(dir, freeName(dir, template.fileName))) || template.fileName;
  const rel = await vscode.window.showInputBox({
    title: `CNN Studio: New ${template.label} model`,
    prompt: "File to create, relative to the workspace folder",
    value: suggested,
    valueSelection: [suggested.length - path.basename(suggested).length, suggested.length - 3],
    validateInput: (v) =>
      !v.trim()
        ? "Enter a file name"
        : !/\.[cm]?ts$/.test(v.trim())
          ? "Model files are TypeScript files: end the name with .ts"
          : fs.existsSync(path.resolve(root.fsPath, v.trim()))
            ? "That file exists already"
            : undefined,
  });
  if (!rel) return undefined;
  const target = vscode.Uri.file(path.resolve(root.fsPath, rel.trim()));
  await vscode.workspace.fs.createDirectory(vscode.Uri.file(path.dirname(target.fsPath)));
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, "utf8"));
  const doc = await vscode.workspace.openTextDocument(target);
  await vscode.window.showTextDocument(doc);
  return target;
}
