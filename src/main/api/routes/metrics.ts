import type { RouteDef } from '../context';
import { Metrics, PROMETHEUS_CONTENT_TYPE } from '../metrics';
import { errorResponses } from './analysis';

/**
 * `GET /metrics`: Prometheus text. A loopback client needs no key (a node exporter or Prometheus on
 * the same machine), anyone else a `read` key, as the old routes' rule says. Not in the OpenAPI document:
 * it is not part of /api/v1.
 */
export const metricsRoutes: RouteDef[] = [
  {
    method: 'GET',
    url: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    tags: ['service'],
    access: 'legacy',
    hidden: true,
    schema: { response: errorResponses([401, 403, 421, 429]) },
    errors: [],
    handler: async (ctx, _req, reply) => {
      const metrics = ctx.deps.metrics ?? new Metrics();
      void reply.type(PROMETHEUS_CONTENT_TYPE).header('cache-control', 'no-store');
      return metrics.expose();
    },
  },
];
