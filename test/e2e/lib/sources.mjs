// The four sources as the e2e run and the demo see them: simulator vendor, credential, test data.

/**
 * One row per source. `short` goes into workflow ids (16 characters at most: n8n 1.x saves static
 * data only for such ids);
 * `credential(sim)` is the n8n credential pointing at the simulator;
 * `vendorIds`: the normalized id is the vendor's own event id (unique even for identical records);
 * `exportFormat`: what the per-source Export and Wait case asks for;
 * `failed` / `flagged`: /_sim/events overrides that make an event the Slack example must report.
 */
export const E2E_SOURCES = [
	{
		id: 'carbonBlackCloud',
		short: 'Cbc',
		label: 'Carbon Black Cloud',
		vendor: 'cbc',
		credentialType: 'carbonBlackCloudApi',
		credentialId: 'simCarbonBlack01',
		credential: (sim) => ({
			baseUrl: sim.urls.cbc,
			orgKey: sim.credentials.cbc.orgKey,
			apiId: sim.credentials.cbc.apiId,
			apiSecretKey: sim.credentials.cbc.apiSecretKey,
		}),
		nativeQueue: true,
		vendorIds: false,
		exportFormat: 'csv',
		nativeExport: true,
		flagged: { flagged: true, description: 'Logged in with a flagged API key' },
		plain: { flagged: false },
	},
	{
		id: 'cortexXdr',
		short: 'Cortex',
		label: 'Cortex XDR',
		vendor: 'cortex',
		credentialType: 'cortexXdrApi',
		credentialId: 'simCortexXdr0001',
		// The Advanced key: every request carries a fresh nonce and timestamp the simulator checks.
		credential: (sim) => ({
			baseUrl: sim.urls.cortex,
			apiKeyId: sim.credentials.cortexAdvanced.apiKeyId,
			apiKey: sim.credentials.cortexAdvanced.apiKey,
			securityLevel: 'advanced',
		}),
		nativeQueue: false,
		vendorIds: true,
		exportFormat: 'ndjson',
		nativeExport: false,
		failed: { AUDIT_RESULT: 'FAIL' },
		plain: { AUDIT_RESULT: 'SUCCESS' },
	},
	{
		id: 'ciscoSecureEndpoint',
		short: 'Cisco',
		label: 'Cisco Secure Endpoint',
		vendor: 'cisco',
		credentialType: 'ciscoSecureEndpointApi',
		credentialId: 'simCiscoSecure01',
		credential: (sim) => ({
			region: 'custom',
			baseUrl: sim.urls.cisco,
			clientId: sim.credentials.cisco.clientId,
			apiKey: sim.credentials.cisco.apiKey,
		}),
		nativeQueue: false,
		vendorIds: false,
		exportFormat: 'json',
		nativeExport: false,
	},
	{
		id: 'pangea',
		short: 'Pangea',
		label: 'Pangea',
		vendor: 'pangea',
		credentialType: 'pangeaAuditApi',
		credentialId: 'simPangeaAudit01',
		credential: (sim) => ({
			domain: '',
			baseUrl: sim.urls.pangea,
			token: sim.credentials.pangea.token,
			configId: sim.credentials.pangea.configId,
			signingPrivateKey: '',
		}),
		nativeQueue: false,
		vendorIds: true,
		exportFormat: 'json',
		nativeExport: true,
		log: true,
	},
];

export function sourceById(id) {
	const source = E2E_SOURCES.find((s) => s.id === id);
	if (!source) throw new Error(`unknown source ${id}`);
	return source;
}

/** The credentials to import into n8n: one per source, with the simulator's URLs and keys. */
export function simulatorCredentials(sim) {
	return E2E_SOURCES.map((source) => ({
		id: source.credentialId,
		name: `${source.label} (simulator)`,
		type: source.credentialType,
		data: source.credential(sim),
	}));
}

/** The `credentials` entry of a node that uses `source`. */
export function credentialRef(source) {
	return {
		[source.credentialType]: { id: source.credentialId, name: `${source.label} (simulator)` },
	};
}
