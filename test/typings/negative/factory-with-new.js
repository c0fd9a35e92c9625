"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.bad = void 0;
// expect-error TS7009: factories are called without `new` (`new nn.Conv2d(...)` has no construct signature).
var cnn_studio_1 = require("cnn-studio");
exports.bad = new cnn_studio_1.nn.Conv2d(3, 6, 5);
