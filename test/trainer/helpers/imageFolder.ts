import * as fs from "node:fs";
import * as path from "node:path";
import * as jpeg from "jpeg-js";
import { PNG } from "pngjs";

/** DIR/<class>/<i>.{png,jpg}: images of several sizes, colour patterns that differ by class and image. */
export function imageFolder(dir: string, perClass: number, classes = ["cat", "dog"]): string {
  classes.forEach((name, k) => {
    fs.mkdirSync(path.join(dir, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const [w, h] = (
        [
          [64, 48],
          [40, 56],
          [96, 72],
        ] as const
      )[i % 3]!;
      const data = Buffer.alloc(w * h * 4);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const o = 4 * (y * w + x);
          data[o] = k === 0 ? (x * 4 + i * 9) % 256 : 40;
          data[o + 1] = ((x + y) * 3 + i) % 256;
          data[o + 2] = k === 1 ? (y * 5 + i * 7) % 256 : 200;
          data[o + 3] = 255;
        }
      const file = path.join(dir, name, `${i}.${i % 2 ? "jpg" : "png"}`);
      if (i % 2) fs.writeFileSync(file, jpeg.encode({ data, width: w, height: h }, 90).data);
      else {
        const png = new PNG({ width: w, height: h });
        data.copy(png.data);
        fs.writeFileSync(file, PNG.sync.write(png));
      }
    }
  });
  return dir;
}
