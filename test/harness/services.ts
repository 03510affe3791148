// Registers the few n8n-core DI services a node execution reaches, without touching ~/.n8n or disk.
import { BinaryDataConfig, BinaryDataService, InstanceSettings } from 'n8n-core';
// n8n-core ships its own @n8n/di (0.17, newer than the hoisted 0.16 @n8n/node-cli brings); the
// service registry is module-level, so only n8n-core's copy is the one n8n-core reads.
import { Container } from 'n8n-core/node_modules/@n8n/di';

let ready = false;

/** Idempotent: the first call wires the container, later calls return at once. */
export function ensureN8nServices(): void {
	if (ready) return;
	// Why: the real InstanceSettings reads or creates ~/.n8n/config on construction; contexts
	// only read instanceId and hmacSignatureSecret from it.
	const instanceSettings = {
		instanceId: 'harness-instance',
		hmacSignatureSecret: 'harness-hmac-secret',
		encryptionKey: 'harness-encryption-key',
	};
	Container.set(InstanceSettings, instanceSettings as unknown as InstanceSettings);
	// Why: n8n's 'default' binary mode keeps data inline as base64 (no storage dir); the service
	// is never init()-ed, so it has no filesystem manager to fall back to either.
	const binaryDataConfig = { mode: 'default', signingSecret: 'harness-signing-secret' };
	Container.set(BinaryDataConfig, binaryDataConfig as BinaryDataConfig);
	ready = true;
}

/** The service n8n-core's binary helpers use; reads back what prepareBinaryData stored. */
export function binaryDataService(): BinaryDataService {
	ensureN8nServices();
	return Container.get(BinaryDataService);
}
