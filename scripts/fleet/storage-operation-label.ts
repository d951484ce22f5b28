/**
 * Names a Storage REST request by what it does for the Function (for StorageRequestCounter): which table or queue,
 * and point read, partition query, insert, batch, queue create, message send… Paths are Azurite's path-style
 * `/<account>/<resource>…`.
 */
import { REGISTRY_TABLE } from '../../core/registry/registry-rows.js';
import { DEDUPE_TABLE } from '../../functions/storage-clients.js';

const TABLE_NAMES: Readonly<Record<string, string>> = { [REGISTRY_TABLE]: 'registry', [DEDUPE_TABLE]: 'dedupe' };

export function tableOperationLabel(method: string, rawPath: string): string {
  const [path = '', query = ''] = rawPath.split('?');
  const resource = decodeURIComponent(path).split('/')[2] ?? '';
  if (resource === 'Tables' || resource.startsWith('Tables(')) return `table ${method === 'POST' ? 'create' : method.toLowerCase()}`;
  if (resource === '$batch') return 'batch transaction';
  const match = /^([A-Za-z0-9]+)(\((.*)\))?$/.exec(resource);
  const name = TABLE_NAMES[match?.[1] ?? ''] ?? 'other table';
  const keys = match?.[3] ?? '';
  if (method === 'GET' && keys.includes('RowKey=')) {
    return name === 'registry' && keys.includes("PartitionKey='cluster'") ? 'registry cluster-row read' : `${name} point read`;
  }
  if (method === 'GET') return `${name} ${/filter=/i.test(query) ? 'partition query' : 'query'}`;
  if (method === 'POST') return `${name} insert`;
  if (method === 'PUT' || method === 'MERGE' || method === 'PATCH') return `${name} upsert`;
  return `${name} ${method.toLowerCase()}`;
}

export function queueOperationLabel(method: string, rawPath: string): string {
  const path = rawPath.split('?')[0] ?? '';
  const parts = path.split('/').filter(Boolean);
  if (parts.length <= 2 && method === 'PUT') return 'queue create';
  if (parts[2] === 'messages' && method === 'POST') return 'queue send';
  if (parts[2] === 'messages' && method === 'GET') return 'queue receive';
  if (parts[2] === 'messages' && method === 'DELETE') return 'queue delete message';
  return `queue ${method.toLowerCase()}`;
}
