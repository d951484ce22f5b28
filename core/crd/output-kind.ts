/** What an AzureKeyVaultSecret writes: the one definition of this union (outputs, restarts, status, ports). */
export type OutputKind = 'Secret' | 'ConfigMap';
