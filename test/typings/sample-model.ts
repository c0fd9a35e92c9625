// Positive typings check: this file must compile without errors against types/cnn-studio.d.ts with
// `tsc --noEmit --strict --noUncheckedIndexedAccess` and `paths: { "cnn-studio": ["../types/cnn-studio.d.ts"] }`
// (as in examples/tsconfig.json). It uses every factory, option and tensor operation of the model
// language (docs: /work/shared/spec/model-language.md), and the custom-module patterns of real code.
import { nn, F, torch, type Tensor } from "cnn-studio";

/** LeNet-5 as published in 1998.
 *  @input [N, 1, 32, 32] */
export const lenet5 = nn.Sequential(
  nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),
  nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
  nn.Flatten(),
  nn.Linear(16 * 5 * 5, 120), nn.Tanh(),
  nn.Linear(120, 84), nn.Tanh(),
  nn.Linear(84, 10),
);

// ── ResNet-style blocks: fields, constructor children, nullable children, static fields ──────────

export class BasicBlock extends nn.Module {
  static expansion = 1;
  conv1: nn.Conv2d;
  bn1 = nn.BatchNorm2d(64);
  relu = nn.ReLU({ inplace: true });
  downsample: nn.Module | null = null;
  constructor(inplanes: number, planes: number, stride = 1) {
    super();
    this.conv1 = nn.Conv2d(inplanes, planes, 3, { stride, padding: 1, bias: false });
    if (stride !== 1) this.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, { stride, bias: false }), nn.BatchNorm2d(planes));
  }
  forward(x: Tensor): Tensor {
    let out = this.relu(this.bn1(this.conv1(x)));
    const identity = this.downsample ? this.downsample(x) : x;
    return this.relu(out.add(identity));
  }
}

class Bottleneck extends nn.Module {
  static expansion = 4;
  conv1: nn.Conv2d; bn1: nn.BatchNorm2d;
  conv2: nn.Conv2d; bn2: nn.BatchNorm2d;
  conv3: nn.Conv2d; bn3: nn.BatchNorm2d;
  relu = nn.ReLU({ inplace: true });
  downsample: nn.Sequential | null;
  constructor(inplanes: number, planes: number, stride = 1, downsample: nn.Sequential | null = null, groups = 1, baseWidth = 64, dilation = 1) {
    super();
    const width = Math.floor(planes * (baseWidth / 64)) * groups;
    this.conv1 = nn.Conv2d(inplanes, width, 1, { bias: false });
    this.bn1 = nn.BatchNorm2d(width);
    this.conv2 = nn.Conv2d(width, width, 3, { stride, padding: dilation, groups, dilation, bias: false });
    this.bn2 = nn.BatchNorm2d(width);
    this.conv3 = nn.Conv2d(width, planes * Bottleneck.expansion, 1, { bias: false });
    this.bn3 = nn.BatchNorm2d(planes * Bottleneck.expansion, { eps: 1e-5, momentum: 0.1, affine: true, trackRunningStats: true });
    this.downsample = downsample;
  }
  forward(x: Tensor): Tensor {
    const identity = this.downsample !== null ? this.downsample(x) : x;
    let out = this.relu(this.bn1(this.conv1(x)));
    out = this.relu(this.bn2(this.conv2(out)));
    out = this.bn3(this.conv3(out));
    return this.relu(torch.add(out, identity));
  }
}

type Block = typeof BasicBlock | typeof Bottleneck;

class ResNet extends nn.Module {
  inplanes = 64;
  conv1 = nn.Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false });
  bn1 = nn.BatchNorm2d(64);
  relu = nn.ReLU({ inplace: true });
  maxpool = nn.MaxPool2d(3, { stride: 2, padding: 1 });
  layer1: nn.Sequential; layer2: nn.Sequential;
  avgpool = nn.AdaptiveAvgPool2d([1, 1]);
  fc: nn.Linear;
  constructor(block: Block, layers: number[], numClasses = 1000) {
    super();
    this.layer1 = this.makeLayer(block, 64, layers[0] ?? 2);
    this.layer2 = this.makeLayer(block, 128, layers[1] ?? 2, 2);
    this.fc = nn.Linear(128 * block.expansion, numClasses);
  }
  makeLayer(block: Block, planes: number, blocks: number, stride = 1): nn.Sequential {
    let downsample: nn.Sequential | null = null;
    if (stride !== 1 || this.inplanes !== planes * block.expansion) {
      downsample = nn.Sequential(nn.Conv2d(this.inplanes, planes * block.expansion, 1, { stride, bias: false }), nn.BatchNorm2d(planes * block.expansion));
    }
    const layers: nn.Module[] = [block === Bottleneck ? new Bottleneck(this.inplanes, planes, stride, downsample) : new BasicBlock(this.inplanes, planes, stride)];
    this.inplanes = planes * block.expansion;
    for (let i = 1; i < blocks; i++) layers.push(new block(this.inplanes, planes));
    return nn.Sequential(...layers);
  }
  forward(x: Tensor): Tensor {
    x = this.maxpool(this.relu(this.bn1(this.conv1(x))));
    x = this.layer2(this.layer1(x));
    x = this.avgpool(x);
    x = torch.flatten(x, 1);
    return this.fc(x);
  }
}

/** @input [N, 3, 224, 224] */
export const resnet50ish = new ResNet(Bottleneck, [2, 2]);

// ── Containers: ModuleList, ModuleDict, Sequential with named children, Sequential subclasses ───

class Net extends nn.Module {
  layer1 = nn.Sequential(new BasicBlock(64, 64), new BasicBlock(64, 64));
  blocks = nn.ModuleList([new BasicBlock(64, 64)]);
  heads = nn.ModuleDict({ a: nn.Linear(4, 2) });
  forward(x: Tensor): Tensor {
    for (const b of this.blocks) x = b(x);
    x = this.layer1(x);
    return torch.flatten(F.adaptiveAvgPool2d(x, 1), 1);
  }
}

class Conv2dNormActivation extends nn.Sequential {
  constructor(i: number, o: number) {
    super(nn.Conv2d(i, o, 3), nn.BatchNorm2d(o), nn.ReLU6());
  }
}

class NamedStem extends nn.Sequential {
  constructor() {
    super({ conv: nn.Conv2d(3, 32, 3, { stride: 2, padding: 1, bias: false }), norm: nn.BatchNorm2d(32), act: nn.Hardswish() });
  }
}

/** A residual block whose children are created from a constructor parameter. */
class Residual extends nn.Module {
  conv: nn.Conv2d;
  constructor(channels: number) {
    super();
    this.conv = nn.Conv2d(channels, channels, 3, { padding: 1 });
  }
  forward(x: Tensor): Tensor {
    return x.add(this.conv(x));
  }
}

class Containers extends nn.Module {
  stem = new NamedStem();
  cna = new Conv2dNormActivation(32, 32);
  named = nn.Sequential({ conv: nn.Conv2d(32, 32, 1), act: nn.SiLU({ inplace: true }) });
  literal = nn.ModuleList([nn.Conv2d(32, 32, 3, { padding: "same" }), nn.BatchNorm2d(32)]);
  dynamic: nn.ModuleList<Residual>;
  grown = nn.ModuleList<nn.Module>();
  heads = nn.ModuleDict({ cls: nn.Linear(32, 10), box: nn.Linear(32, 4) });
  loose: nn.ModuleDict;
  typed: nn.ModuleDict<{ a: nn.Identity }>;
  constructor() {
    super();
    const blocks: Residual[] = [];
    for (let i = 0; i < 2; i++) blocks.push(new Residual(32));
    this.dynamic = nn.ModuleList(blocks);
    this.grown.append(nn.ReLU()).extend([nn.Identity()]);
    this.named.append(nn.Identity());
    this.loose = nn.ModuleDict({ first: nn.Identity(), second: nn.Identity("ignored", 1) });
    this.typed = nn.ModuleDict({ a: nn.Identity() });
    for (let i = 0; i < 2; i++) this.addModule(`extra${i + 1}`, nn.Identity());
  }
  forward(x: Tensor): Tensor[] {
    x = this.cna(this.stem(x));
    const k: [number, number] = this.named.conv.kernelSize;
    x = this.named.act(this.named.conv(x)).mul(k[0]);
    x = this.literal[1](this.literal[0](x));                  // literal list: exact element types
    for (let i = 0; i < this.dynamic.length; i++) x = this.dynamic[i]!(x); // dynamic list: `T | undefined`
    for (const layer of this.grown) x = layer(x);
    x = this.loose.first(x);
    x = this.loose["second"](x);
    x = this.typed.a(x);
    for (const layer of Object.values(this.loose)) x = layer(x);
    for (const layer of this.cna) x = layer(x);                // Sequential: iterable, length, index
    if (this.cna.length > 3) x = this.cna[this.cna.length - 1]!(x);
    for (const name of this.typed.keys()) if (name === "a") x = this.typed.values()[0]!(x);
    for (const [, layer] of this.typed.items()) x = layer(x);
    for (const name of Object.keys(this.heads)) if (name === "none") x = this.heads.cls(x);
    const pooled = x.mean([2, 3]);
    const outs: Tensor[] = [];
    for (const head of Object.values(this.heads)) outs.push(head(pooled));
    for (const [name, head] of Object.entries(this.heads)) if (name === "box") outs.push(F.sigmoid(head(pooled)));
    outs.push(this.heads.cls(pooled), this.heads["box"](pooled));
    return outs;
  }
}

/** @input [N, 3, 64, 64] */
export const containers = new Containers();

// DenseNet: ModuleDict subclass, addModule with computed names, forward taking and returning lists.
class DenseLayer extends nn.Module {
  norm1: nn.BatchNorm2d; relu1 = nn.ReLU({ inplace: true }); conv1: nn.Conv2d;
  norm2: nn.BatchNorm2d; relu2 = nn.ReLU({ inplace: true }); conv2: nn.Conv2d;
  dropRate: number;
  constructor(numInputFeatures: number, growthRate: number, bnSize: number, dropRate: number) {
    super();
    this.norm1 = nn.BatchNorm2d(numInputFeatures);
    this.conv1 = nn.Conv2d(numInputFeatures, bnSize * growthRate, 1, { stride: 1, bias: false });
    this.norm2 = nn.BatchNorm2d(bnSize * growthRate);
    this.conv2 = nn.Conv2d(bnSize * growthRate, growthRate, 3, { stride: 1, padding: 1, bias: false });
    this.dropRate = dropRate;
  }
  forward(inputs: Tensor[]): Tensor {
    const concated = torch.cat(inputs, 1);
    const bottleneck = this.conv1(this.relu1(this.norm1(concated)));
    let out = this.conv2(this.relu2(this.norm2(bottleneck)));
    if (this.dropRate > 0) out = F.dropout(out, this.dropRate, this.training);
    return out;
  }
}

class DenseBlock extends nn.ModuleDict {
  constructor(numLayers: number, numInputFeatures: number, bnSize: number, growthRate: number, dropRate: number) {
    super();
    for (let i = 0; i < numLayers; i++) {
      this.addModule(`denselayer${i + 1}`, new DenseLayer(numInputFeatures + i * growthRate, growthRate, bnSize, dropRate));
    }
  }
  forward(initFeatures: Tensor): Tensor {
    const features = [initFeatures];
    for (const [, layer] of Object.entries(this)) features.push(layer(features));
    return torch.cat(features, 1);
  }
}

class Transition extends nn.Sequential {
  constructor(numInputFeatures: number, numOutputFeatures: number) {
    super();
    this.addModule("norm", nn.BatchNorm2d(numInputFeatures));
    this.addModule("relu", nn.ReLU({ inplace: true }));
    this.addModule("conv", nn.Conv2d(numInputFeatures, numOutputFeatures, 1, { bias: false }));
    this.addModule("pool", nn.AvgPool2d(2, { stride: 2 }));
  }
}

/** @input [N, 64, 56, 56] */
export const denseStage = nn.Sequential(new DenseBlock(2, 64, 4, 32, 0), new Transition(128, 64));

// ── Several inputs and several outputs; multi-tensor forward signatures ─────────────────────────

class Fuse extends nn.Module {
  forward(a: Tensor, b: Tensor): Tensor {
    return torch.mul(a, b).add(torch.add(b, 1)).mul(torch.mul(a, 0.5)).sub(torch.sub(a, b)).div(torch.div(b, 2));
  }
}

class Split extends nn.Module {
  conv = nn.Conv2d(8, 8, 1);
  forward(x: Tensor): Tensor[] {
    return [this.conv(x), x];
  }
}

class TwoInputs extends nn.Module {
  fuse = new Fuse();
  split = new Split();
  forward(x: Tensor, y: Tensor): Tensor {
    const parts: Tensor[] = this.split(x);
    const [first, second] = parts;
    const fused: Tensor = this.fuse(first ?? x, second ?? y);
    return torch.cat([fused, y], 1);
  }
}

/** @input [N, 8, 16, 16]
 *  @input [N, 8, 16, 16] */
export const twoInputs = new TwoInputs();

// ── Every remaining factory, option and tensor operation ────────────────────────────────────────

export class Everything extends nn.Module {
  conv = nn.Conv2d(3, 16, [3, 5], { stride: [1, 1], padding: [1, 2], dilation: 1, groups: 1, bias: true, paddingMode: "zeros" });
  convValid = nn.Conv2d(16, 16, 3, { padding: "valid" });
  convSame = nn.Conv2d(16, 16, 3, { padding: "same", dilation: 2 });
  deconv = nn.ConvTranspose2d(16, 8, 3, { stride: 2, padding: 1, outputPadding: 1, dilation: 1, groups: 1, bias: false });
  maxpool = nn.MaxPool2d([2, 2], { stride: 2, padding: 0, dilation: 1, ceilMode: true });
  avgpool = nn.AvgPool2d(3, { stride: 1, padding: 1, ceilMode: false, countIncludePad: false, divisorOverride: 9 });
  amax = nn.AdaptiveMaxPool2d(4);
  aavg = nn.AdaptiveAvgPool2d(1);
  lrn = nn.LocalResponseNorm(5, { alpha: 1e-4, beta: 0.75, k: 2 });
  bn1d = nn.BatchNorm1d(8, { eps: 1e-3, momentum: 0.01, affine: false });
  drop = nn.Dropout();
  drop2 = nn.Dropout(0.2, { inplace: true });
  drop2d = nn.Dropout2d(0.1);
  flat = nn.Flatten();
  flat2 = nn.Flatten(2, -1);
  up = nn.Upsample({ scaleFactor: 2 });
  upSize = nn.Upsample({ size: [32, 32], mode: "bilinear", alignCorners: false });
  upPair = nn.Upsample({ scaleFactor: [2, 1], mode: "nearest-exact" });
  acts = nn.Sequential(
    nn.ReLU(), nn.ReLU({ inplace: true }), nn.ReLU6({ inplace: false }),
    nn.LeakyReLU(), nn.LeakyReLU(0.2, { inplace: true }),
    nn.ELU(), nn.ELU(1.0, { inplace: true }),
    nn.GELU(), nn.GELU({ approximate: "tanh" }),
    nn.SiLU(), nn.Sigmoid(), nn.Tanh(), nn.Hardswish({ inplace: true }), nn.Hardsigmoid(),
    nn.Identity(),
  );
  head = nn.Linear(8, 4, { bias: false });
  softmax = nn.Softmax(1);
  activation = nn.ReLU;
  act: nn.Module;
  constructor(norm: (c: number) => nn.Module = nn.BatchNorm2d) {
    super();
    this.act = this.activation();
    this.addModule("norm", norm(16));
    this.requiresGrad_(true);
    this.head.requiresGrad_(false);
    this.eval().train(false);
    const named: [string, nn.Module][] = [...this.namedModules()];
    const kids: nn.Module[] = [...this.children()];
    if (named.length < 0 || kids.length < 0) throw new Error("unreachable");
  }
  forward(x: Tensor): Tensor {
    const n = x.size(0);
    const c: number = x.shape.length;
    const dims: number[] = x.size();
    if (x.dim() !== x.ndim || dims.length !== c) throw new Error("unreachable");
    x = this.acts(this.convSame(this.convValid(this.conv(x))));
    x = this.lrn(this.drop2d(this.avgpool(this.maxpool(this.deconv(x)))));
    x = this.upPair(this.upSize(this.up(x)));
    x = F.relu(x); x = F.relu(x, true); x = F.relu(x, { inplace: true });
    x = F.relu6(x); x = F.silu(x, false); x = F.sigmoid(x); x = F.tanh(x); x = F.gelu(x); x = F.gelu(x, { approximate: "tanh" });
    x = F.dropout(x); x = F.dropout(x, 0.1); x = F.dropout(x, 0.1, this.training); x = F.dropout(x, 0.1, false, false);
    x = F.elu(x); x = F.leakyRelu(x, 0.2); x = F.hardswish(x); x = F.hardsigmoid(x, true); x = F.dropout2d(x, 0.1, this.training);
    x = F.adaptiveMaxPool2d(x, 8).sub(1).div(2).tanh().contiguous();
    x = torch.tanh(torch.sigmoid(torch.relu(torch.concat([x], 0))));
    x = F.maxPool2d(x, 2); x = F.maxPool2d(x, [2, 2], { stride: 1, padding: 1, dilation: 1, ceilMode: false });
    x = F.avgPool2d(x, 2, { stride: 1, padding: 0, ceilMode: true, countIncludePad: true });
    x = F.interpolate(x, { scaleFactor: 2 });
    x = F.interpolate(x, { size: 8, mode: "bicubic", alignCorners: true });
    x = F.adaptiveAvgPool2d(x, [2, 2]).relu().sigmoid();
    x = x.view(n, -1).reshape(n, 8, c, -1).flatten().view(n, 8, 2, 2).flatten(1).reshape(n, -1, 4, 1);
    x = this.amax(this.act(x));
    x = x.mean(3).mean([2], true).flatten(1, -1);
    x = this.flat(this.flat2(this.aavg(x.view(n, 8, 1, 1))));
    x = this.bn1d(this.drop(this.drop2(x)));
    x = F.softmax(this.softmax(this.head(x)), -1);
    const y = torch.cat([x, x]);
    return torch.flatten(y, 0, -1).mul(2).add(torch.flatten(y.mul(y)));
  }
}

/** @input [2, 3, 32, 32] */
export const everything = new Everything();

/** @input [N, 64, 56, 56] */
export default new Net();
