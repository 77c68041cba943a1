// The ranking rule (`eligibility` of /api/v1/meta) in words, and the engine's English reasons
// (not_ranked_reason of /api/v1/units/{ISO3}, reason of /api/v1/validation largest_shifts) in the
// current language. A reason the patterns below do not know is shown as the engine wrote it.
import type { Meta } from './api';
import { intFmt, lang, t } from './i18n';

//! The rule "who is ranked" as sentences in the current language.
export function eligibilityRule(meta: Meta): string {
  const e = meta.eligibility;
  if (!e) return t('method.eligibility.all');
  const dims = meta.dimensions.length;
  const parts: string[] = [];
  if (e.population && e.min_population > 0) parts.push(t('method.eligibility.pop', { min: intFmt(e.min_population), code: e.population }));
  if (e.max_missing_dimensions >= 0) parts.push(t('method.eligibility.dims', { max: e.max_missing_dimensions, dims }));
  if (!parts.length) return t('method.eligibility.all');
  const zh = lang() === 'zh';
  const lead = t('method.eligibility.lead');
  const joined = parts.join(zh ? `，${t('method.eligibility.and')} ` : ` ${t('method.eligibility.and')} `);
  const sentences = [zh ? `${lead}${joined}。` : `${lead} ${joined}.`];
  if (e.max_missing_dimensions > 0) sentences.push(t('method.eligibility.d'));
  sentences.push(t('method.eligibility.n'));
  return sentences.join(zh ? '' : ' ');
}

//! A not_ranked_reason of the engine (src/engine/build.cpp) in the current language.
export function notRankedReason(reason: string): string {
  let m: RegExpExecArray | null;
  if (reason === 'screened out (too little data)') return t('reason.screened');
  if ((m = /^no (\S+) for the year$/.exec(reason))) return t('reason.nopop', { code: m[1] });
  if ((m = /^\S+ ([\d.]+) below ([\d.]+)$/.exec(reason))) return t('reason.population', { value: intFmt(Number(m[1])), min: intFmt(Number(m[2])) });
  if ((m = /^(\d+) of (\d+) dimensions without a score \(at most (\d+) allowed\)$/.exec(reason))) return t('reason.dimensions', { n: m[1], dims: m[2], max: m[3] });
  return reason;
}

//! A rank shift's reason (src/engine/validate.cpp ShiftReason) in the current language, dimension
//! codes replaced by their names (`name`).
export function shiftReason(reason: string, name: (code: string) => string): string {
  const codes = (s: string) => s.split(', ').map(name).join(lang() === 'zh' ? '、' : ', ');
  let m: RegExpExecArray | null;
  if (reason === 'newly ranked') return t('shift.newly');
  if (reason === 'newly ranked (screened out before)') return t('shift.newly.screened');
  if ((m = /^not ranked: (.*)$/.exec(reason))) return t('shift.notranked', { reason: notRankedReason(m[1]) });
  const out: string[] = [];
  for (const part of reason.split('; ')) {
    if ((m = /^now scored: (.+)$/.exec(part))) out.push(t('shift.now', { codes: codes(m[1]) }));
    else if ((m = /^no longer scored: (.+)$/.exec(part))) out.push(t('shift.lost', { codes: codes(m[1]) }));
    else if ((m = /^dimension scores changed: (.+)$/.exec(part))) {
      const list = m[1].split(', ').map((x) => {
        const d = /^(\S+) ([+-][\d.]+)$/.exec(x);
        return d ? `${name(d[1])} ${d[2]}` : x;
      });
      out.push(t('shift.changed', { list: list.join(lang() === 'zh' ? '，' : ', ') }));
    } else return reason;
  }
  return out.join(lang() === 'zh' ? '；' : '; ');
}
