/**
 * ECharts, tree-shaken to what the attendance charts use (bars, lines, grid, tooltip, legend, mark
 * lines, canvas), with an Indonesian locale: ECharts ships none, so 'ID' is registered here in the
 * shape of its English one. A chart is created with the locale of the interface language.
 */
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { Language } from '../../../shared/contract';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, CanvasRenderer]);

/** Bahasa Indonesia for ECharts: names of months and days, and the few words of its own UI. */
export const LOCALE_ID = {
  time: {
    month: [
      'Januari',
      'Februari',
      'Maret',
      'April',
      'Mei',
      'Juni',
      'Juli',
      'Agustus',
      'September',
      'Oktober',
      'November',
      'Desember',
    ],
    monthAbbr: ['Jan', 'Feb', 'Mar', 'Apr', 'Mei', 'Jun', 'Jul', 'Agu', 'Sep', 'Okt', 'Nov', 'Des'],
    dayOfWeek: ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu'],
    dayOfWeekAbbr: ['Min', 'Sen', 'Sel', 'Rab', 'Kam', 'Jum', 'Sab'],
  },
  legend: { selector: { all: 'Semua', inverse: 'Balik' } },
  toolbox: {
    brush: {
      title: {
        rect: 'Pilih kotak',
        polygon: 'Pilih bebas',
        lineX: 'Pilih mendatar',
        lineY: 'Pilih tegak',
        keep: 'Simpan pilihan',
        clear: 'Hapus pilihan',
      },
    },
    dataView: { title: 'Tampilan data', lang: ['Tampilan data', 'Tutup', 'Muat ulang'] },
    dataZoom: { title: { zoom: 'Perbesar', back: 'Kembalikan' } },
    magicType: {
      title: { line: 'Ubah ke grafik garis', bar: 'Ubah ke grafik batang', stack: 'Tumpuk', tiled: 'Berjajar' },
    },
    restore: { title: 'Kembalikan' },
    saveAsImage: { title: 'Simpan sebagai gambar', lang: ['Klik kanan untuk menyimpan gambar'] },
  },
  series: {
    typeNames: {
      pie: 'Grafik lingkaran',
      bar: 'Grafik batang',
      line: 'Grafik garis',
      scatter: 'Diagram pencar',
      effectScatter: 'Diagram pencar beriak',
      radar: 'Grafik radar',
      tree: 'Pohon',
      treemap: 'Peta pohon',
      boxplot: 'Diagram kotak',
      candlestick: 'Grafik lilin',
      k: 'Grafik K',
      heatmap: 'Peta panas',
      map: 'Peta',
      parallel: 'Koordinat sejajar',
      lines: 'Grafik garis',
      graph: 'Grafik hubungan',
      sankey: 'Diagram Sankey',
      funnel: 'Grafik corong',
      gauge: 'Meteran',
      pictorialBar: 'Batang bergambar',
      themeRiver: 'Grafik sungai tema',
      sunburst: 'Grafik sunburst',
      custom: 'Grafik khusus',
      chart: 'Grafik',
    },
  },
  aria: {
    general: { withTitle: 'Ini grafik tentang "{title}"', withoutTitle: 'Ini sebuah grafik' },
    series: {
      single: {
        prefix: '',
        withName: ' berjenis {seriesType} bernama {seriesName}.',
        withoutName: ' berjenis {seriesType}.',
      },
      multiple: {
        prefix: '. Terdiri dari {seriesCount} seri.',
        withName: ' Seri ke-{seriesId} adalah {seriesType} yang menunjukkan {seriesName}.',
        withoutName: ' Seri ke-{seriesId} adalah {seriesType}.',
        separator: { middle: '', end: '' },
      },
    },
    data: {
      allData: 'Datanya sebagai berikut: ',
      partialData: '{displayCnt} butir pertama: ',
      withName: 'data untuk {name} adalah {value}',
      withoutName: '{value}',
      separator: { middle: ', ', end: '. ' },
    },
  },
};

echarts.registerLocale('ID', LOCALE_ID);

/** The ECharts locale of an interface language. */
export function chartLocale(language: Language): 'ID' | 'EN' {
  return language === 'id' ? 'ID' : 'EN';
}

/** The colours of styles.css (ECharts draws on a canvas, so it cannot read CSS variables itself). */
export const CHART_COLORS = {
  accent: '#00695c',
  ok: '#2e7d32',
  warn: '#b26a00',
  bad: '#c62828',
  text: '#1b2430',
  muted: '#5f6b7a',
  line: '#d9dee5',
};

export { echarts };
