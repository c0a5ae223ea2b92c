import { describeError } from '../../shared/api.ts';
import { formatDate } from '../../shared/format.ts';
import { useApp } from '../../shared/app-state.tsx';
import { Icon } from '../../shared/icons.tsx';

/** Says plainly, above the queue, why transcription will be refused. */
export function LicenseBanner() {
  const { license, navigate } = useApp();
  if (!license || license.state === 'valid') return null;
  const text =
    license.state === 'none'
      ? 'Add your license key to start transcribing.'
      : license.state === 'expired' && license.expiresAt
        ? `Your license expired on ${formatDate(license.expiresAt)}. Transcription is paused until you add a current key.`
        : license.error
          ? describeError(license.error)
          : 'Your license cannot be used right now.';
  return (
    <div className="callout callout-warn" role="status" data-testid="license-banner">
      <Icon name="key" />
      <div className="callout-body">{text}</div>
      <button
        type="button"
        className="btn btn-small"
        onClick={() => navigate({ name: 'settings', section: 'license' })}
      >
        Open license settings
      </button>
    </div>
  );
}
