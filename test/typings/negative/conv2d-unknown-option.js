"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.bad = void 0;
// expect-error TS2561: an unknown option name "strides" instead of "stride" — TypeScript suggests "stride" in nn.Conv2d's options object.
var cnn_studio_1 = require("cnn-studio");
exports.bad = cnn_studio_1.nn.Conv2d(3, 6, 5, { strides: 2 });
