"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.bad = void 0;
// expect-error TS2554: nn.Softmax requires its `dim` argument.
var cnn_studio_1 = require("cnn-studio");
exports.bad = cnn_studio_1.nn.Softmax();
