/**
 * The metrics the reference's ASR workers export, under their names, so that a Kubernetes autoscaler (HPA on
 * `asr_active_requests`, KEDA on `asr_batch_queue_depth`) and the reference's dashboards work unchanged; they are
 * served on /metrics after ours. Built on prom-client (the usual Prometheus client for Node); our own series stay in
 * metrics.ts.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface ReferenceReaders {
  /** Transcriptions running on this node now. */
  activeRequests(): number;
  /** Requests waiting for a worker: this node's queue, or in cluster mode the cluster's queue. */
  queueDepth(): number | Promise<number>;
  activeStreams(): number;
  /** Live windows waiting for the model: this node's, or in cluster mode the cluster's. */
  streamQueueDepth(): number | Promise<number>;
}

/** The routes that transcribe (the reference's request counters and end-to-end latency count these). */
const TRANSCRIPTION_ROUTES = new Set([
  '/v1/listen',
  '/waves/v1/stt/',
  '/waves/v1/pulse/get_text',
  '/api/v1/lightning/get_text',
]);

export class ReferenceMetrics {
  readonly registry = new Registry();
  private readers: ReferenceReaders = {
    activeRequests: () => 0,
    queueDepth: () => 0,
    activeStreams: () => 0,
    streamQueueDepth: () => 0,
  };
  readonly realTimeFactor: Histogram;
  readonly processingSeconds: Histogram<'language'>;
  private readonly e2eLatency: Histogram;
  private readonly errors: Counter;
  private readonly totalRequests: Counter;
  private readonly asrTotalRequests: Counter;

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
    new Gauge({
      name: 'asr_stream_queue_depth',
      help: 'Live stream windows waiting for a worker',
      registers,
      async collect() {
        this.set(await self.readers.streamQueueDepth());
      },
    });
    this.e2eLatency = new Histogram({
      name: 'asr_e2e_latency_seconds',
      help: 'Seconds from receiving a transcription request to its answer, upload included',
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });
    this.errors = new Counter({
      name: 'asr_errors_total',
      help: 'Transcription requests answered with a server error (5xx)',
      registers,
    });
    this.totalRequests = new Counter({
      name: 'total_requests_total',
      help: 'Transcription requests answered',
      registers,
    });
    this.asrTotalRequests = new Counter({
      name: 'asr_total_requests',
      help: 'Transcription requests answered (the same count, under the name DBG mentions)',
      registers,
    });
    // The standard process_* and nodejs_* series the reference's workers export too.
    collectDefaultMetrics({ register: this.registry });
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

  /** Counts an answered request when its route transcribes (called for every response). */
  answered(route: string, method: string, status: number, seconds: number): void {
    if (method !== 'POST' || !TRANSCRIPTION_ROUTES.has(route)) return;
    this.totalRequests.inc();
    this.asrTotalRequests.inc();
    this.e2eLatency.observe(seconds);
    if (status >= 500) this.errors.inc();
  }

  read(readers: Partial<ReferenceReaders>): void {
    this.readers = { ...this.readers, ...readers };
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
