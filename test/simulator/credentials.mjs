// The fixed test credentials every simulated vendor accepts (and nothing else).

export const SIM_CREDENTIALS = Object.freeze({
	cbc: Object.freeze({
		orgKey: 'ORG1SIM',
		apiId: 'SIMAPIID01',
		apiSecretKey: 'SIMSECRETKEY00000000000001',
		/** A second key of the same org: its own queue and jobs (queues are per API key). */
		secondApiId: 'SIMAPIID02',
		secondApiSecretKey: 'SIMSECRETKEY00000000000002',
		/** CSP-managed PoPs: `Authorization: Bearer <token>` instead of X-Auth-Token (a fixed, never-expiring one). */
		bearerToken: 'sim-csp-access-token-0001',
		/** A CSP OAuth app: Basic app id:secret at /csp/gateway/am/api/auth/token → a short-lived token. */
		cspAppId: 'sim-csp-app-0001',
		cspAppSecret: 'SimCspAppSecret00000000000001',
		/** A CSP user API token: api_token at /csp/gateway/am/api/auth/api-tokens/authorize. */
		cspApiToken: 'SimCspUserApiToken000000000000000001',
	}),
	/** A Standard key: `Authorization` is the key itself. */
	cortex: Object.freeze({
		apiKeyId: '17',
		apiKey: 'SimCortexStandardKey000000000000000000000000000000000000000000001',
		keyType: 'standard',
	}),
	/** An Advanced key: `Authorization` = sha256hex(apiKey + nonce + timestamp). */
	cortexAdvanced: Object.freeze({
		apiKeyId: '18',
		apiKey: 'SimCortexAdvancedKey00000000000000000000000000000000000000000001',
		keyType: 'advanced',
	}),
	cisco: Object.freeze({
		clientId: 'sim-cisco-client-0001',
		apiKey: 'sim-cisco-api-key-00000000000000000001',
	}),
	pangea: Object.freeze({
		token: 'pts_simauditsingleconfig000000000001',
		configId: 'pci_simauditconfig000000000000001',
		/** Scoped to two configurations: every call must name one in `config_id`. */
		multiConfigToken: 'pts_simauditmulticonfig0000000000001',
		otherConfigId: 'pci_simauditconfig000000000000002',
	}),
});
