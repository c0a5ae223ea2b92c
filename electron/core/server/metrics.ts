/**
 * The server's Prometheus metrics, on prom-client (the usual Prometheus client for Node): our `earshot_*` series and
 * the reference workers' `asr_*` ones (reference-metrics.ts) in one registry, served on /metrics in the text format
 * (version 0.0.4). The small wrappers keep one calling convention (labels first) and put label names in a fixed
 * order, so that a series reads the same however its labels were passed.
 */
import { Counter as PromCounter, Gauge as PromGauge, Histogram as PromHistogram, Registry } from 'prom-client';
import { ReferenceMetrics } from './reference-metrics.ts';

type Labels = Record<string, string>;

function sorted(labels: Labels): Labels {
  return Object.fromEntries(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

class Counter {
  private readonly metric: PromCounter<string>;
  constructor(registry: Registry, name: string, help: string, labelNames: string[] = []) {
    this.metric = new PromCounter({ name, help, labelNames: [...labelNames].sort(), registers: [registry] });
  }

  inc(labels: Labels = {}, by = 1): void {
    this.metric.inc(sorted(labels), by);
  }
}

/** A gauge set per label set (per-license quota figures). */
class LabelledGauge {
  private readonly metric: PromGauge<string>;
  constructor(registry: Registry, name: string, help: string, labelNames: string[]) {
    this.metric = new PromGauge({ name, help, labelNames: [...labelNames].sort(), registers: [registry] });
  }

  set(labels: Labels, value: number): void {
    this.metric.set(sorted(labels), value);
  }
}

class Histogram {
  private readonly metric: PromHistogram<string>;
  constructor(registry: Registry, name: string, help: string, buckets: number[], labelNames: string[] = []) {
    this.metric = new PromHistogram({ name, help, buckets, labelNames: [...labelNames].sort(), registers: [registry] });
  }

  observe(labels: Labels, value: number): void {
    this.metric.observe(sorted(labels), value);
  }
}

export class ServerMetrics {
  private readonly registry = new Registry();
  readonly requests = new Counter(
    this.registry,
    'earshot_http_requests_total',
    'HTTP requests by route, method and status code',
    ['route', 'method', 'status'],
  );
  readonly latency = new Histogram(
    this.registry,
    'earshot_http_request_duration_seconds',
    'HTTP request latency by route',
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    ['route'],
  );
  readonly realTimeFactor = new Histogram(
    this.registry,
    'earshot_real_time_factor',
    'Processing seconds per second of audio (lower is faster)',
    [0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2, 5],
  );
  readonly audioSeconds = new Counter(this.registry, 'earshot_audio_seconds_total', 'Seconds of audio transcribed');
  readonly failedAuth = new Counter(
    this.registry,
    'earshot_failed_authentications_total',
    'Rejected credentials by reason code',
    ['reason'],
  );
  readonly quotaUsed = new LabelledGauge(
    this.registry,
    'earshot_quota_audio_seconds_used',
    'Audio seconds used today per license (resets daily)',
    ['license'],
  );
  readonly quotaLimit = new LabelledGauge(
    this.registry,
    'earshot_quota_audio_seconds_limit',
    'Daily audio-seconds quota per license',
    ['license'],
  );
  readonly webhooks = new Counter(this.registry, 'earshot_webhook_deliveries_total', 'Webhook deliveries by outcome', [
    'outcome',
  ]);
  /** The reference's names (asr_*), for autoscalers and its dashboards; rendered after ours. */
  readonly reference = new ReferenceMetrics();

  /** One answered HTTP request: ours by route, method and status; the reference's when it was a transcription. */
  answered(route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ route, method, status: String(status) });
    this.latency.observe({ route }, seconds);
    this.reference.answered(route, method, status, seconds);
  }
  /** Live streaming sessions open now. */
  activeStreams = 0;

  /** A gauge whose value is read when scraped (queue depth, active jobs). */
  gauge(name: string, help: string, read: () => number): void {
    new PromGauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** Every series, ours then the reference's, in the Prometheus text format. */
  async render(): Promise<string> {
    return `${await this.registry.metrics()}\n${await this.reference.render()}`;
  }
}
