"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.bad = void 0;
// expect-error TS2345: a string where nn.Conv2d takes its number of input channels.
var cnn_studio_1 = require("cnn-studio");
exports.bad = cnn_studio_1.nn.Conv2d("3", 6, 5);
