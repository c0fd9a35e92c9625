"use strict";
var __extends = (this && this.__extends) || (function () {
    var extendStatics = function (d, b) {
        extendStatics = Object.setPrototypeOf ||
            ({ __proto__: [] } instanceof Array && function (d, b) { d.__proto__ = b; }) ||
            function (d, b) { for (var p in b) if (Object.prototype.hasOwnProperty.call(b, p)) d[p] = b[p]; };
        return extendStatics(d, b);
    };
    return function (d, b) {
        if (typeof b !== "function" && b !== null)
            throw new TypeError("Class extends value " + String(b) + " is not a constructor or null");
        extendStatics(d, b);
        function __() { this.constructor = d; }
        d.prototype = b === null ? Object.create(b) : (__.prototype = b.prototype, new __());
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.Net = void 0;
// expect-error TS2722: with noUncheckedIndexedAccess, indexing a ModuleList built from an array (not a literal) may be undefined; use for…of or `list[i]!`.
var cnn_studio_1 = require("cnn-studio");
var Net = /** @class */ (function (_super) {
    __extends(Net, _super);
    function Net(depth) {
        var _this = _super.call(this) || this;
        var blocks = [];
        for (var i = 0; i < depth; i++)
            blocks.push(cnn_studio_1.nn.Conv2d(8, 8, 3, { padding: 1 }));
        _this.blocks = cnn_studio_1.nn.ModuleList(blocks);
        return _this;
    }
    Net.prototype.forward = function (x) {
        for (var i = 0; i < this.blocks.length; i++)
            x = this.blocks[i](x);
        return x;
    };
    return Net;
}(cnn_studio_1.nn.Module));
exports.Net = Net;
