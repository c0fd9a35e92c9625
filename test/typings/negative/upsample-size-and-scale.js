"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.bad = void 0;
// expect-error TS2345: nn.Upsample takes exactly one of `size` and `scaleFactor`, not both.
var cnn_studio_1 = require("cnn-studio");
exports.bad = cnn_studio_1.nn.Upsample({ size: 64, scaleFactor: 2 });
