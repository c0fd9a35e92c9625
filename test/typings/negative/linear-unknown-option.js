"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.bad = void 0;
// expect-error TS2353: an option nn.Linear does not have ("dropout") in its options object.
var cnn_studio_1 = require("cnn-studio");
exports.bad = cnn_studio_1.nn.Linear(16, 4, { dropout: 0.5 });
