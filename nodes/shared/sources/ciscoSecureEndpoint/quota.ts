// Cisco's hourly request quota per API client, read from every answer's headers, for the run's hint.

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, ...names: string[]): string | undefined {
	for (const name of names) {
		const value = headers[name] ?? headers[name.toLowerCase()];
		if (value !== undefined) return Array.isArray(value) ? value[0] : value;
	}
	return undefined;
}

function count(text: string | undefined): number | undefined {
	if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
	return Number(text);
}

/**
 * Counts one read's requests and keeps the quota the last answer reported. Cisco sends
 * `x-ratelimit-limit`, `-remaining`, `-reset` (seconds) and `-resetdate` (ISO time); its prose
 * spells them `X-Rate-Limit-*`: both are read.
 */
export class QuotaMeter {
	requests = 0;
	limit?: number;
	remaining?: number;
	resetDate?: string;

	/** One answer's headers; `now` turns a reset given only in seconds into a time. */
	count(headers: Headers | undefined, now: number): void {
		this.requests++;
		if (!headers) return;
		this.limit = count(header(headers, 'x-ratelimit-limit', 'x-rate-limit-limit')) ?? this.limit;
		this.remaining = count(header(headers, 'x-ratelimit-remaining', 'x-rate-limit-remaining')) ?? this.remaining;
		const resetDate = header(headers, 'x-ratelimit-resetdate', 'x-rate-limit-resetdate');
		const resetSeconds = count(header(headers, 'x-ratelimit-reset', 'x-rate-limit-reset'));
		if (resetDate !== undefined && !Number.isNaN(Date.parse(resetDate))) {
			this.resetDate = new Date(Date.parse(resetDate)).toISOString();
		} else if (resetSeconds !== undefined && resetSeconds < 86_400) {
			this.resetDate = new Date(now + resetSeconds * 1000).toISOString();
		}
	}

	/**
	 * A hint for a read that ran to its end over several pages (`complete`: a Return All), or that
	 * left the quota nearly spent; undefined otherwise (no count on every run).
	 */
	summary(complete: boolean): string | undefined {
		const low = this.limit !== undefined && this.remaining !== undefined && this.remaining < this.limit / 10;
		if (!low && !(complete && this.requests >= 2)) return undefined;
		const requests = `${this.requests} request${this.requests === 1 ? '' : 's'}`;
		if (this.limit === undefined && this.remaining === undefined) {
			return `Cisco Secure Endpoint: this run made ${requests} (Cisco reported no hourly quota).`;
		}
		const share =
			this.limit !== undefined && this.limit > 0
				? ` of the API client's hourly quota of ${this.limit} (${formatShare(this.requests / this.limit)})`
				: " of the API client's hourly quota";
		const left = this.remaining !== undefined ? `; ${this.remaining} left` : '';
		const reset = this.resetDate ? ` until ${this.resetDate}` : '';
		return `Cisco Secure Endpoint: this run used ${requests}${share}${left}${reset}.`;
	}
}

function formatShare(fraction: number): string {
	const percent = fraction * 100;
	return `${percent < 10 ? Number(percent.toPrecision(2)) : Math.round(percent)}%`;
}
