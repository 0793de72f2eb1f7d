// [metrics] and [overload]: what a node tells its operators (a Prometheus endpoint) and how it sheds new
// logins when it is overloaded (docs/operations.md). Off-host exposure of the metrics needs a token: they say
// which applications and tenants are busy, which is not for everyone.
import { bool, int, section, str } from './schema-dsl.ts';

const ADDRESS = /^(?:[A-Za-z0-9.-]+|[0-9A-Fa-f:.]+)$/;
const LOOPBACK = /^(?:127(?:\.\d{1,3}){3}|::1|localhost)$/i;
/** At least 32 characters, so a token cannot be guessed (e.g. `openssl rand -hex 32`). */
const TOKEN = /^(?:|[\x21-\x7e]{32,})$/;

export const metrics = section(
  {
    enable: bool({
      default: false,
      description: 'Serve Prometheus metrics (plain HTTP GET /metrics) on a port of their own, apart from the HTTPS port users reach.',
    }),
    bind_address: str({
      default: '127.0.0.1',
      pattern: ADDRESS,
      format: 'an IP address or host name, e.g. "127.0.0.1" or "0.0.0.0"',
      description: 'Interface of the metrics port. Loopback by default (a Prometheus agent on the same machine); any other address requires token.',
    }),
    port: int({ default: 9464, min: 0, max: 65535, description: 'Port of the metrics endpoint (0 picks a free port).' }),
    token: str({
      default: '',
      secret: true,
      pattern: TOKEN,
      format: 'empty, or at least 32 printable ASCII characters without spaces',
      description:
        'Bearer token a scraper must send (`Authorization: Bearer <token>`, Prometheus `authorization.credentials`). Empty: no token, allowed only on a loopback bind_address.',
    }),
    max_tenants: int({
      default: 100,
      min: 1,
      max: 10000,
      description: 'Distinct tenant domains a node labels metrics with; tenants seen after that are counted under tenant="other", so many tenants cannot blow up the series count.',
    }),
    max_applications: int({
      default: 200,
      min: 1,
      max: 10000,
      description: 'Distinct (tenant, application) pairs a node labels metrics with; later ones are counted under application="other". Names are cut to 64 characters.',
    }),
  },
  {
    description: 'The Prometheus endpoint (docs/operations.md lists every metric).',
    checks: [
      (m) =>
        m.enable && m.token === '' && !LOOPBACK.test(m.bind_address)
          ? { key: 'token', message: `must be set when bind_address ("${m.bind_address}") is not a loopback address` }
          : undefined,
    ],
  },
);

export const overload = section(
  {
    enable: bool({
      default: true,
      description: 'Refuse new logins with 503 and Retry-After while the node is overloaded; logins already under way are finished, and /health/ready reports DOWN so a load balancer sends elsewhere.',
    }),
    max_event_loop_delay: int({
      default: 1000,
      min: 0,
      max: 60000,
      description: 'Mean event-loop delay in milliseconds (sampled every second) above which the node is overloaded. 0 turns this check off.',
    }),
    max_heap_used_mb: int({
      default: 0,
      min: 0,
      max: 1048576,
      description:
        'V8 heap in use, in MiB, above which the node is overloaded. 0: 90% of the heap limit (node --max-old-space-size), so a node sheds load before it runs out of memory.',
    }),
    max_rss_mb: int({
      default: 0,
      min: 0,
      max: 1048576,
      description: 'Resident memory of the process, in MiB, above which the node is overloaded (e.g. 90% of a container limit). 0 turns this check off.',
    }),
    retry_after: int({ default: 10, min: 1, max: 3600, description: 'Seconds a refused client is told to wait (Retry-After).' }),
  },
  { description: 'Graceful overload: shedding new logins while a node is short of event-loop time or memory.' },
);
