/**
 * The one audio-quota policy, for every face (the desktop's queue, the CLI, the API server):
 *
 * 1. Work starts only while some of today's quota remains: `LicenseService.authorize` and `LicenseService.meter`
 *    refuse with QUOTA_EXCEEDED {resets_at} once the day's audio hours are used up.
 * 2. Audio is charged as it is transcribed: each finished segment pays for the audio up to its end (the silence before
 *    it included), persisted in the shared ledger before the segment counts; the audio after the last segment is paid
 *    when the run ends. Several processes share the ledger (ledger.ts), so they share the quota too.
 * 3. The charge that meets the limit takes what was left and the meter is exhausted: the caller stops feeding audio,
 *    keeps the segments already paid for (saving them), and reports `meter.exceeded` (QUOTA_EXCEEDED {resets_at}).
 *
 * An API request differs only where its answer cannot be partial: its length is known before any work, so it pays its
 * whole length up front (`LicenseLease.recordAudio`) and is refused, charging nothing, when that does not fit.
 */
import { LicenseError } from './errors.ts';

/** What one charge took: `charged` seconds; `refusal` when the quota ran out before all of it was paid. */
export interface ChargeOutcome {
  charged: number;
  refusal?: LicenseError;
}

/** Below this many seconds a charge is rounding noise, not audio (floating-point segment ends). */
const EPSILON_SECONDS = 1e-6;

export class AudioMeter {
  private paid: number;
  private chain: Promise<unknown> = Promise.resolve();
  private refusal: LicenseError | undefined;

  /** `consume` charges seconds to the license (what fits) and says what it took; see LicenseService.meter. */
  constructor(
    private readonly consume: (seconds: number) => Promise<ChargeOutcome>,
    fromSeconds = 0,
  ) {
    this.paid = fromSeconds;
  }

  /** Seconds into the recording paid for so far. */
  get paidUpTo(): number {
    return this.paid;
  }

  /** QUOTA_EXCEEDED once the quota ran out during this work; undefined while all of it was paid. */
  get exceeded(): LicenseError | undefined {
    return this.refusal;
  }

  /** A resumed job: the audio before `seconds` was paid for by the earlier run. */
  skipTo(seconds: number): void {
    if (seconds > this.paid) this.paid = seconds;
  }

  /**
   * Pays for the recording up to `seconds`. Resolves true when all of it is paid, false once the quota is used up
   * (what was left has been charged). Calls are serialised in order. Rejects only when the charge could not be
   * written (the ledger's error).
   */
  advanceTo(seconds: number): Promise<boolean> {
    const step = this.chain.then(async () => {
      if (this.refusal) return false;
      const owed = seconds - this.paid;
      if (!(owed > EPSILON_SECONDS)) return true;
      let outcome: ChargeOutcome;
      try {
        outcome = await this.consume(owed);
      } catch (e) {
        if (!(e instanceof LicenseError && e.code === 'QUOTA_EXCEEDED')) throw e;
        outcome = { charged: 0, refusal: e };
      }
      this.paid += outcome.charged;
      if (outcome.refusal && outcome.charged < owed - EPSILON_SECONDS) {
        this.refusal = outcome.refusal;
        return false;
      }
      return true;
    });
    this.chain = step.catch(() => {});
    return step;
  }
}
