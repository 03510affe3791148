// Pangea Secure Audit Log: search + results (10 000 per search), bulk log, download_results export, verification.
import type { AuditSource } from '../../types';
import { exportPangea } from './export';
import { PANGEA_FILTER_FIELDS, PANGEA_LOG_FIELDS, PANGEA_OPTION_FIELDS } from './fields';
import { logPangeaEvents, pangeaEventFrom } from './log';
import { normalizePangea } from './normalize';
import { describePangeaError, pangeaBaseUrl } from './request';
import { MAX_RESULTS, PAGE_LIMIT, searchPages, validatePangeaQuery } from './search';
import { pageVerifier, pangeaApiRoots } from './verification';

export const pangea: AuditSource = {
	id: 'pangea',
	displayName: 'Pangea Secure Audit Log',
	description: 'Pangea Secure Audit Log: tamper-proof search, logging and export',
	credentialType: 'pangeaAuditApi',
	filterFields: PANGEA_FILTER_FIELDS,
	optionFields: PANGEA_OPTION_FIELDS,
	pageSize: PAGE_LIMIT,
	searchWindow: MAX_RESULTS,
	orders: ['asc', 'desc'],
	// Actor and Actor IP also go to Pangea as terms, whose matching is not documented as exact:
	// the exact match is kept client-side.
	serverFilters: ['query'],
	validate: validatePangeaQuery,
	pages: searchPages,
	nativeExport: exportPangea,
	nativeExportFormats: ['csv', 'json'],
	logFields: PANGEA_LOG_FIELDS,
	logEventFrom: pangeaEventFrom,
	log: logPangeaEvents,
	normalize: normalizePangea,
	verifyPage: pageVerifier(pangeaApiRoots),
	describeError: describePangeaError,
	baseUrl: pangeaBaseUrl,
};
