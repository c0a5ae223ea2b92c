/**
 * Paste a key and see at once whether it works, with the exact reason when it does not; then the masked key, plan,
 * expiry and today's usage, and a way to remove it. Warns when the OS offers no real secret storage.
 */
import { useRef, useState } from 'react';
import type { LicenseStatus } from '../../../../electron/contract/api.ts';
import { call, describeError, earshot } from '../../shared/api.ts';
import { formatDate } from '../../shared/format.ts';
import { useApp } from '../../shared/app-state.tsx';
import { Icon } from '../../shared/icons.tsx';
import { useToast } from '../../shared/toast.tsx';

const STATE_LABEL: Record<LicenseStatus['state'], string> = {
  none: 'No key',
  valid: 'Active',
  invalid: 'Invalid',
  expired: 'Expired',
  not_yet_valid: 'Not yet valid',
  quota_exceeded: "Today's quota used",
};

export function LicenseCard({ compact = false }: { compact?: boolean }) {
  const { license, setLicense } = useApp();
  const notify = useToast();
  const [draft, setDraft] = useState('');
  const [checking, setChecking] = useState(false);
  const [verdict, setVerdict] = useState<LicenseStatus>();
  const seq = useRef(0);

  const submit = async (key: string) => {
    if (!key.trim()) return;
    const mine = ++seq.current;
    setChecking(true);
    try {
      const st = await call(earshot().license.set(key.trim()));
      if (mine !== seq.current) return;
      setVerdict(st);
      if (st.state !== 'invalid') {
        setLicense(st);
        setDraft('');
        if (st.state === 'valid') notify('License key saved. You can transcribe now.');
      }
    } catch (e) {
      setVerdict({ state: 'invalid', error: { code: 'INTERNAL_ERROR', message: describeError(e) } });
    } finally {
      if (mine === seq.current) setChecking(false);
    }
  };

  const remove = async () => {
    const st = await call(earshot().license.remove());
    setLicense(st);
    setVerdict(undefined);
    notify('License key removed from this computer.');
  };

  const usage = license?.usage;
  const usedPct = usage ? Math.min(100, (usage.audioHoursToday / usage.audioHoursPerDay) * 100) : 0;
  const hasKey = license && license.state !== 'none';

  return (
    <div className="license-card" data-testid="license-card">
      {hasKey && license && (
        <dl className={`license-facts state-${license.state}`} data-testid="license-status">
          <div>
            <dt>Status</dt>
            <dd>
              <span className={`status-dot ${license.state === 'valid' ? 'ok' : 'bad'}`} aria-hidden="true" />
              {STATE_LABEL[license.state]}
            </dd>
          </div>
          <div>
            <dt>Key</dt>
            <dd className="mono">{license.maskedKey}</dd>
          </div>
          {license.customer && (
            <div>
              <dt>Licensed to</dt>
              <dd>{license.customer}</dd>
            </div>
          )}
          {license.plan && (
            <div>
              <dt>Plan</dt>
              <dd>{license.plan}</dd>
            </div>
          )}
          {license.expiresAt && (
            <div>
              <dt>{license.state === 'expired' ? 'Expired on' : 'Expires'}</dt>
              <dd data-testid="license-expiry">{formatDate(license.expiresAt)}</dd>
            </div>
          )}
          {usage && (
            <div className="usage">
              <dt>Today's usage</dt>
              <dd>
                <div
                  className="progress progress-thin"
                  role="progressbar"
                  aria-label="Audio hours used today"
                  aria-valuemin={0}
                  aria-valuemax={usage.audioHoursPerDay}
                  aria-valuenow={Number(usage.audioHoursToday.toFixed(2))}
                >
                  <div className="progress-bar" style={{ width: `${usedPct}%` }} />
                </div>
                <span className="small muted">
                  {usage.audioHoursToday.toFixed(2)} of {usage.audioHoursPerDay} audio hours
                </span>
              </dd>
            </div>
          )}
          {license.state !== 'valid' && license.error && (
            <p className="field-error" role="alert">
              {describeError(license.error)}
            </p>
          )}
        </dl>
      )}
      {license?.weakStorage && hasKey && (
        <div className="callout callout-warn small" role="note">
          <Icon name="alert" size={16} />
          <div>
            This system has no keyring, so the key is stored obfuscated rather than encrypted. Anyone with access to
            your user account could read it.
          </div>
        </div>
      )}
      <form
        className="license-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit(draft);
        }}
      >
        <label htmlFor={compact ? 'license-key-welcome' : 'license-key'}>
          {hasKey ? 'Replace the key' : 'License key'}
        </label>
        <div className="url-row">
          <input
            id={compact ? 'license-key-welcome' : 'license-key'}
            className="mono"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="ESK1.…"
            value={draft}
            aria-invalid={verdict?.state === 'invalid' ? true : undefined}
            aria-describedby="license-verdict"
            onChange={(e) => {
              setDraft(e.target.value);
              setVerdict(undefined);
            }}
            onPaste={(e) => {
              const text = e.clipboardData.getData('text');
              if (text) {
                e.preventDefault();
                setDraft(text);
                void submit(text);
              }
            }}
          />
          <button type="submit" className="btn btn-primary" disabled={!draft.trim() || checking}>
            {checking ? 'Checking…' : 'Activate'}
          </button>
        </div>
        <div id="license-verdict" aria-live="polite" data-testid="license-verdict">
          {verdict?.state === 'invalid' && verdict.error && (
            <p className="field-error">
              <Icon name="alert" size={14} /> {describeError(verdict.error)}
            </p>
          )}
          {verdict && verdict.state !== 'invalid' && verdict.state !== 'valid' && verdict.error && (
            <p className="field-error">
              <Icon name="alert" size={14} /> Saved, but it cannot be used: {describeError(verdict.error)}
            </p>
          )}
        </div>
      </form>
      {hasKey && !compact && (
        <button type="button" className="btn btn-ghost btn-danger btn-small" onClick={remove}>
          <Icon name="trash" size={14} /> Remove key from this computer
        </button>
      )}
    </div>
  );
}
