"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.bad = void 0;
// expect-error TS2322: a kernel size with three entries where nn.Conv2d takes a number or a [height, width] pair.
var cnn_studio_1 = require("cnn-studio");
exports.bad = cnn_studio_1.nn.Conv2d(3, 6, [3, 3, 3]);
