"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.bad = void 0;
// expect-error TS2345: nn.Sequential takes modules; a number is not a module.
var cnn_studio_1 = require("cnn-studio");
exports.bad = cnn_studio_1.nn.Sequential(cnn_studio_1.nn.ReLU(), 3);
