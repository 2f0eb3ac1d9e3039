/**
 * A QR code as SVG (qrcode-generator makes the modules; one path draws the dark ones), with the quiet
 * zone the standard asks for. Medium error correction: a phone reads it off a monitor at an angle.
 */
import qrcode from 'qrcode-generator';
import { useMemo } from 'react';

export function QrCode({ text, size, label }: { text: string; size: number; label: string }): React.JSX.Element {
  const { count, path } = useMemo(() => {
    const qr = qrcode(0, 'M');
    qr.addData(text, 'Byte');
    qr.make();
    const n = qr.getModuleCount();
    const parts: string[] = [];
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        if (!qr.isDark(r, c)) continue;
        // Runs of dark modules in a row become one rectangle: a much shorter path.
        let run = 1;
        while (c + run < n && qr.isDark(r, c + run)) run++;
        parts.push(`M${c + 4} ${r + 4}h${run}v1h-${run}z`);
        c += run - 1;
      }
    }
    return { count: n, path: parts.join('') };
  }, [text]);
  const extent = count + 8;
  return (
    <svg
      className="qr"
      role="img"
      aria-label={label}
      width={size}
      height={size}
      viewBox={`0 0 ${extent} ${extent}`}
      shapeRendering="crispEdges"
      data-testid="pairing-qr"
      data-qr-text={text}
    >
      <rect width={extent} height={extent} fill="#ffffff" />
      <path d={path} fill="#000000" />
    </svg>
  );
}
