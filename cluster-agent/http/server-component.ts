import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Component } from '../manager/component.js';

export interface ServerComponent extends Component {
  /** `host:port` it listens on (127.0.0.1 for a wildcard host), once started. */
  address(): string;
}

/** A Fastify server as an every-replica component: listen on start, close on stop. */
export function serverComponent(name: string, app: FastifyInstance, host: string, port: number): ServerComponent {
  let address = '';
  return {
    name,
    leaderOnly: false,
    async start() {
      await app.listen({ host, port });
      const bound = app.server.address() as AddressInfo;
      const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
      address = `${shown}:${bound.port}`;
    },
    stop: () => app.close(),
    address: () => address,
  };
}
