import uPlot from 'uplot';

/** A dashed vertical line at canvas x `x` across the plot, with `label` at its top right: where a phase starts. */
export function drawStartMark(u: uPlot, x: number, label: string, fg: string): void {
  const { ctx } = u;
  const { top, height } = u.bbox;
  ctx.strokeStyle = 'rgba(128,128,128,0.7)';
  ctx.setLineDash([4, 4]);
  ctx.lineWidth = uPlot.pxRatio;
  ctx.beginPath();
  ctx.moveTo(x, top);
  ctx.lineTo(x, top + height);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = fg;
  ctx.font = `${11 * uPlot.pxRatio}px sans-serif`;
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left'; // uPlot's axes leave theirs set
  ctx.fillText(label, x + 4 * uPlot.pxRatio, top + 2 * uPlot.pxRatio);
}
