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
// expect-error TS2740: calling a custom module returns its `forward`'s type (Tensor[] here), which is not a Tensor.
var cnn_studio_1 = require("cnn-studio");
var Split = /** @class */ (function (_super) {
    __extends(Split, _super);
    function Split() {
        return _super !== null && _super.apply(this, arguments) || this;
    }
    Split.prototype.forward = function (x) {
        return [x, x];
    };
    return Split;
}(cnn_studio_1.nn.Module));
var Net = /** @class */ (function (_super) {
    __extends(Net, _super);
    function Net() {
        var _this = _super !== null && _super.apply(this, arguments) || this;
        _this.split = new Split();
        return _this;
    }
    Net.prototype.forward = function (x) {
        var y = this.split(x);
        return y;
    };
    return Net;
}(cnn_studio_1.nn.Module));
exports.Net = Net;
