"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.bad = void 0;
// expect-error TS2559: `inplace` goes in the options object (`nn.ReLU({ inplace: true })`), not positionally as in PyTorch's `nn.ReLU(True)`.
var cnn_studio_1 = require("cnn-studio");
exports.bad = cnn_studio_1.nn.ReLU(true);
