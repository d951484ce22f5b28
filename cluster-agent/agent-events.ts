import { EventEmitter } from 'node:events';

/** What the agent tells listeners (the demo timeline, tests). Names, versions and hashes only: never a value. */
export interface AgentEventMap {
  'notification-verified': [{ eventId: string; vault: string; objectName: string; version: string; receivedAt: number }];
  'secret-written': [{ namespace: string; name: string; version: string; dataHash: string; latencyMs: number | undefined }];
  'workload-restarted': [{ kind: string; namespace: string; name: string }];
  'sync-failed': [{ code: string }];
}

export type AgentEvents = EventEmitter<AgentEventMap>;

export function createAgentEvents(): AgentEvents {
  return new EventEmitter<AgentEventMap>();
}
