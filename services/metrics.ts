// Prometheus metrics (prom-client): what operators watch. Queue depths are read at scrape time.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queues } from './queue/queues';
import type { DomainHealthStore } from './store/domain-health';

export function createMetrics(queues: Queues, domainHealth: DomainHealthStore) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const queueDepth = new Gauge({
    name: 'fedigate_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      for (const [name, queue] of Object.entries(queues)) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
        for (const [state, n] of Object.entries(counts)) this.set({ queue: name, state }, Number(n));
      }
    },
  });
  return {
    registry,
    queueDepth,
    deliveries: new Counter({
      name: 'fedigate_deliveries_total',
      help: 'Delivery attempts by outcome (delivered, retry, final, gone; skipped: superseded, signer_left, blocked, domain_blocked) and the receiving domain\'s class (DELIVERY_DOMAIN_CLASSES, else "other"; absent for skips decided before the inbox is read)',
      labelNames: ['outcome', 'domain_class'] as const,
      registers: [registry],
    }),
    deliverySeconds: new Histogram({
      name: 'fedigate_delivery_seconds',
      help: 'Time of one signed POST to a remote inbox, by the domain\'s class',
      labelNames: ['domain_class'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
      registers: [registry],
    }),
    inbox: new Counter({
      name: 'fedigate_inbox_requests_total',
      help: 'Inbox POSTs by result (accepted, duplicate, refused) and reason (the refusal reason sent back, e.g. bad_signature, rate_limited, document_too_deep)',
      labelNames: ['result', 'reason'] as const,
      registers: [registry],
    }),
    inboxProcessed: new Counter({
      name: 'fedigate_inbox_activities_total',
      help: 'Queued inbound activities by outcome (applied, ignored) and reason',
      labelNames: ['outcome', 'reason'] as const,
      registers: [registry],
    }),
    events: new Counter({
      name: 'fedigate_platform_events_total',
      help: 'Platform events by result (accepted, duplicate, refused, applied, stale)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    contentPolicy: new Counter({
      name: 'fedigate_content_policy_total',
      help: 'Remote notes by content policy verdict (pass, drop, mark_sensitive) and the rule that fired',
      labelNames: ['rule', 'action'] as const,
      registers: [registry],
    }),
    // --- per-domain delivery health ---
    domainsUnavailable: new Gauge({
      name: 'fedigate_domains_unavailable',
      help: 'Remote domains skipped at fan-out (failing on 7 distinct days, or their shared inbox is gone)',
      registers: [registry],
      async collect() {
        this.set(await domainHealth.countUnavailable());
      },
    }),
    skippedUnavailable: new Counter({
      name: 'fedigate_deliveries_skipped_unavailable_total',
      help: 'Inboxes left out at fan-out because their domain is unavailable',
      registers: [registry],
    }),
    breakerOpened: new Counter({
      name: 'fedigate_domain_breaker_opened_total',
      help: 'Times a domain circuit breaker opened after consecutive network failures',
      registers: [registry],
    }),
    deliveriesDeferred: new Counter({
      name: 'fedigate_deliveries_deferred_total',
      help: 'Deliveries that did not go now: breaker_open (failed fast, retried with backoff) or domain_busy (yielded, back shortly)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    callbackLagSeconds: new Histogram({
      name: 'fedigate_callback_lag_seconds',
      help: 'From a callback being queued to the platform accepting it (retries and waits for earlier callbacks included)',
      buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 21600],
      registers: [registry],
    }),
    callbacks: new Counter({
      name: 'fedigate_callbacks_total',
      help: 'Callback jobs run, by outcome: delivered, retry, final (refused for good), superseded, waiting (an earlier callback about the same object is not delivered yet)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
