import { useEffect, useRef, useState } from 'react';
import { CameraPreview } from '../kiosk/CameraPreview';
import { useCameraStream } from '../kiosk/use-camera-stream';
import { useCamera } from '../state/camera';
import { useT } from '../state/language';
import { Field } from './Field';

/** Choose the kiosk's camera (kept on this device) with a live preview. */
export function CameraPicker(): React.JSX.Element {
  const t = useT();
  const deviceId = useCamera((s) => s.deviceId);
  const setDeviceId = useCamera((s) => s.setDeviceId);
  const camera = useCameraStream(deviceId);
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);

  useEffect(() => {
    // Labels are only given once the page may use a camera, so list again when the stream is live.
    if (camera.state !== 'live') return;
    void navigator.mediaDevices
      ?.enumerateDevices()
      .then((all) => setDevices(all.filter((d) => d.kind === 'videoinput')));
  }, [camera.state]);

  return (
    <div className="camera-picker" data-testid="camera-picker">
      <Field label={t('camera.choose')}>
        <select value={deviceId ?? ''} onChange={(e) => setDeviceId(e.target.value || null)}>
          <option value="">{t('camera.default')}</option>
          {devices.map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>
              {d.label || t('camera.unnamed', { n: i + 1 })}
            </option>
          ))}
        </select>
      </Field>
      <div className="camera-picker-preview">
        <CameraPreview stream={camera.stream} videoRef={videoRef} faces={[]} frameWidth={0} frameHeight={0} />
      </div>
      {camera.state !== 'live' && camera.state !== 'starting' && (
        <p className="error-message" role="alert">
          {t(`kiosk.camera.${camera.state}.title`)}
        </p>
      )}
    </div>
  );
}
