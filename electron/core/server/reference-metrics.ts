/**
 * The metrics the reference's ASR workers export, under their names, so that a Kubernetes autoscaler (HPA on
 * `asr_active_requests`, KEDA on `asr_batch_queue_depth`) and the reference's dashboards work unchanged; they are
 * served on /metrics after ours. Built on prom-client (the usual Prometheus client for Node); our own series stay in
 * metrics.ts.
 */
import { Gauge, Histogram, Registry } from 'prom-client';

export interface ReferenceReaders {
  /** Transcriptions running on this node now. */
  activeRequests(): number;
  /** Requests waiting for a worker: this node's queue, or in cluster mode the cluster's queue. */
  queueDepth(): number | Promise<number>;
  activeStreams(): number;
}

export class ReferenceMetrics {
  readonly registry = new Registry();
  private readers: ReferenceReaders = { activeRequests: () => 0, queueDepth: () => 0, activeStreams: () => 0 };
  readonly realTimeFactor: Histogram;
  readonly processingSeconds: Histogram<'language'>;

  constructor() {
    const registers = [this.registry];
    const self = this;
    new Gauge({
      name: 'asr_active_requests',
      help: 'Transcription requests being processed now',
      registers,
      collect() {
        this.set(self.readers.activeRequests());
      },
    });
    new Gauge({
      name: 'asr_batch_queue_depth',
      help: 'Transcription requests waiting for a worker',
      registers,
      async collect() {
        this.set(await self.readers.queueDepth());
      },
    });
    new Gauge({
      name: 'asr_active_streams',
      help: 'Live streaming sessions open now',
      registers,
      collect() {
        this.set(self.readers.activeStreams());
      },
    });
    this.realTimeFactor = new Histogram({
      name: 'asr_real_time_factor',
      help: 'Processing seconds per second of audio',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2, 5],
      registers,
    });
    this.processingSeconds = new Histogram({
      name: 'asr_processing_duration_seconds',
      help: 'Seconds from accepting audio to its transcript',
      labelNames: ['language'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });
  }

  read(readers: Partial<ReferenceReaders>): void {
    this.readers = { ...this.readers, ...readers };
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
