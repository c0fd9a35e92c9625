import type { OptimizerName, ScheduleConfig } from "../../shared/training";

/**
 * Learning-rate schedules as PyTorch computes them. `step` (StepLR) and `cosine`
 * (CosineAnnealingLR, T_max = epochs) change once per epoch, as when `scheduler.step()` is called
 * after each epoch; `onecycle` (OneCycleLR with PyTorch's defaults: pct_start 0.3, cosine
 * annealing, div_factor 25, final_div_factor 1e4, momentum cycled between 0.85 and 0.95) changes
 * every batch, total_steps = epochs × steps per epoch. `warmup-cosine` changes every batch too:
 * SequentialLR of LinearLR (start_factor `warmupStart`, total_iters W = warmupEpochs × steps per
 * epoch) and CosineAnnealingLR (T_max = total_steps − W, eta_min `minLr`), milestones [W]; with
 * W = 0, CosineAnnealingLR alone (T_max = total_steps).
 */

export interface Hyper {
  lr: number;
  /** SGD momentum or Adam beta1; undefined when the schedule leaves it alone. */
  momentum: number | undefined;
}

export interface Schedule {
  /** The values for the optimiser step `globalStep0` (0-based), in epoch `epoch0` (0-based). */
  at(epoch0: number, globalStep0: number): Hyper;
}

const annealCos = (start: number, end: number, pct: number): number => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);

export function createSchedule(s: ScheduleConfig, baseLr: number, epochs: number, stepsPerEpoch: number, _optimizer: OptimizerName): Schedule {
  switch (s.name) {
    case "none":
      return { at: () => ({ lr: baseLr, momentum: undefined }) };
    case "step":
      return { at: (e) => ({ lr: baseLr * s.gamma ** Math.floor(e / s.stepSize), momentum: undefined }) };
    case "cosine":
      return { at: (e) => ({ lr: s.minLr + ((baseLr - s.minLr) * (1 + Math.cos((Math.PI * Math.min(e, epochs)) / epochs))) / 2, momentum: undefined }) };
    case "onecycle": {
      const total = epochs * stepsPerEpoch;
      const maxLr = baseLr;
      const initialLr = maxLr / s.divFactor;
      const minLr = initialLr / s.finalDivFactor;
      const baseMomentum = 0.85;
      const maxMomentum = 0.95;
      const phases = [
        { end: s.pctStart * total - 1, lr: [initialLr, maxLr], m: [maxMomentum, baseMomentum] },
        { end: total - 1, lr: [maxLr, minLr], m: [baseMomentum, maxMomentum] },
      ] as const;
      return {
        at: (_e, k) => {
          let start = 0;
          for (let i = 0; i < phases.length; i++) {
            const ph = phases[i]!;
            if (k <= ph.end || i === phases.length - 1) {
              const pct = (k - start) / (ph.end - start);
              return { lr: annealCos(ph.lr[0], ph.lr[1], pct), momentum: annealCos(ph.m[0], ph.m[1], pct) };
            }
            start = ph.end;
          }
          return { lr: minLr, momentum: maxMomentum };
        },
      };
    }
    case "warmup-cosine":
      return warmupCosine(s, baseLr, epochs * stepsPerEpoch, s.warmupEpochs * stepsPerEpoch);
  }
}

/** The lr of step k: linear from baseLr × warmupStart to baseLr over `warmup` steps, then cosine to minLr at step `total` (LinearLR's and CosineAnnealingLR's closed forms). */
function warmupCosine(s: ScheduleConfig, baseLr: number, total: number, warmup: number): Schedule {
  const span = Math.max(1, total - warmup);
  return {
    at: (_e, k) => {
      if (k < warmup) return { lr: baseLr * (s.warmupStart + ((1 - s.warmupStart) * k) / warmup), momentum: undefined };
      const t = Math.min(k - warmup, span);
      return { lr: s.minLr + ((baseLr - s.minLr) * (1 + Math.cos((Math.PI * t) / span))) / 2, momentum: undefined };
    },
  };
}
