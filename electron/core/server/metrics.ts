/**
 * A small Prometheus text-format registry: counters and gauges with labels, and histograms. Written here because the
 * server needs eight series and no push gateway; the exposition format is plain text (version 0.0.4).
 */

import { ReferenceMetrics } from './reference-metrics.ts';

type Labels = Record<string, string>;

function labelKey(labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

interface Metric {
  render(): string;
}

class Counter implements Metric {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly type: 'counter' | 'gauge' = 'counter',
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  set(labels: Labels, value: number): void {
    this.values.set(labelKey(labels), value);
  }

  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    if (this.values.size === 0 && this.type === 'gauge') lines.push(`${this.name} 0`);
    for (const [key, v] of this.values) lines.push(`${this.name}${key} ${v}`);
    return lines.join('\n');
  }
}

/** A gauge whose value is read when scraped (queue depth, active jobs). */
class GaugeFn implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => number,
  ) {}

  render(): string {
    return `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} gauge\n${this.name} ${this.read()}`;
  }
}

class Histogram implements Metric {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number; labels: Labels }>();
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: number[],
  ) {}

  observe(labels: Labels, value: number): void {
    const key = labelKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0, labels };
      this.series.set(key, s);
    }
    this.buckets.forEach((b, i) => {
      if (value <= b) s.counts[i]++;
    });
    s.sum += value;
    s.count++;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => {
        lines.push(`${this.name}_bucket${labelKey({ ...s.labels, le: String(b) })} ${s.counts[i]}`);
      });
      lines.push(`${this.name}_bucket${labelKey({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${this.name}_sum${labelKey(s.labels)} ${s.sum}`);
      lines.push(`${this.name}_count${labelKey(s.labels)} ${s.count}`);
    }
    return lines.join('\n');
  }
}

export class ServerMetrics {
  readonly requests = new Counter('earshot_http_requests_total', 'HTTP requests by route, method and status code');
  readonly latency = new Histogram(
    'earshot_http_request_duration_seconds',
    'HTTP request latency by route',
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  );
  readonly realTimeFactor = new Histogram(
    'earshot_real_time_factor',
    'Processing seconds per second of audio (lower is faster)',
    [0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2, 5],
  );
  readonly audioSeconds = new Counter('earshot_audio_seconds_total', 'Seconds of audio transcribed');
  readonly failedAuth = new Counter('earshot_failed_authentications_total', 'Rejected credentials by reason code');
  readonly quotaUsed = new Counter(
    'earshot_quota_audio_seconds_used',
    'Audio seconds used today per license (resets daily)',
    'gauge',
  );
  readonly quotaLimit = new Counter(
    'earshot_quota_audio_seconds_limit',
    'Daily audio-seconds quota per license',
    'gauge',
  );
  readonly webhooks = new Counter('earshot_webhook_deliveries_total', 'Webhook deliveries by outcome');
  /** The reference's names (asr_*), for autoscalers and its dashboards. */
  readonly reference = new ReferenceMetrics();
  /** Live streaming sessions open now. */
  activeStreams = 0;
  private readonly extra: Metric[] = [];

  gauge(name: string, help: string, read: () => number): void {
    this.extra.push(new GaugeFn(name, help, read));
  }

  render(): string {
    const all: Metric[] = [
      this.requests,
      this.latency,
      this.realTimeFactor,
      this.audioSeconds,
      this.failedAuth,
      this.quotaUsed,
      this.quotaLimit,
      this.webhooks,
      ...this.extra,
    ];
    return `${all.map((m) => m.render()).join('\n')}\n`;
  }
}
