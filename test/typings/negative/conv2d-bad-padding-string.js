"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.bad = void 0;
// expect-error TS2322: padding "full" is not a valid Conv2d padding (a number, a pair, "same" or "valid").
var cnn_studio_1 = require("cnn-studio");
exports.bad = cnn_studio_1.nn.Conv2d(3, 6, 5, { padding: "full" });
