// The dashboard's charts. The tables beside them carry the same numbers for screen readers and
// for anyone who cannot see the chart; the charts are decoration for the eye (aria-hidden).
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Chart === "undefined") return;
  // Colour-blind-safe palette (Okabe–Ito); the legend names every series.
  const colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"];
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const data = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
    data.datasets.forEach((set, i) => { set.backgroundColor = colours[i % colours.length]; });
    const across = data.across;
    delete data.across;
    // Bars across the page (long labels such as questions): as tall as there are bars.
    if (across) canvas.parentElement.style.height = `${80 + 40 * data.labels.length}px`;
    new Chart(canvas, {
      type: "bar",
      data,
      options: {
        indexAxis: across ? "y" : "x",
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
  });
});
