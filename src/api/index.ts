// The admin and self-service APIs, registered inside the tenant-aware scope (each route serves /path and
// /t/{tenant}/path).
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';

export async function registerAdminApis(_app: FastifyInstance, _services: Services): Promise<void> {}
