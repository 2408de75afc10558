/** Small import files built in tests. */
import { randomUUID } from 'node:crypto';

export interface ReportSpec {
  id?: string;
  form?: string;
  summary?: string;
  status?: string;
  extra?: string;
  fields?: string;
}

function reportXml(r: ReportSpec = {}): string {
  const closed = r.status === 'Closed' ? '<ClosedDate>2026-03-02T09:00:00Z</ClosedDate><ClosedBy>s.officer</ClosedBy>' : '';
  return `<Report><ReportId>${r.id ?? randomUUID()}</ReportId><FormName>${r.form ?? 'Occurrence Report'}</FormName>` +
    `<Summary>${r.summary ?? 'Bird strike on final approach'}</Summary>${r.status ? `<ReportStatus>${r.status}</ReportStatus>` : ''}` +
    `<RaisedBy>j.smith</RaisedBy><RaisedDate>2026-03-01T10:15:00Z</RaisedDate>${closed}${r.extra ?? ''}` +
    `${r.fields ?? '<Fields><Field><Label>Altitude (ft)</Label><FieldType>Numerical</FieldType><Value>1200</Value></Field></Fields>'}</Report>`;
}

export function fileXml(reports: ReportSpec[]): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<Reports xmlns="urn:coruson:reports:import:1">${reports.map(reportXml).join('\n')}</Reports>`;
}

export function importBody(xml: string | Buffer, filename = 'reports.xml'): string {
  return JSON.stringify({ Filename: filename, FileBytes: Buffer.from(xml).toString('base64') });
}
