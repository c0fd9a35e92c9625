// expect-error TS7009: functions are called without `new` (`F.relu` and `nn.Parameter` have no construct signature; the nn modules do).
import { F, nn, torch } from "cnn-studio";

export const bad = new F.relu(torch.zeros(1, 3, 8, 8));
export const worse = new nn.Parameter(torch.zeros(3));
