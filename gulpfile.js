// Copies what tsc does not emit into dist/, keeping the source layout so that the nodes'
// `file:../../icons/x.svg` paths still resolve: the SVG icons and the codex (.node.json) files.
const { src, dest } = require('gulp');

function copyIconsAndCodex() {
	return src(['icons/**/*.svg', 'nodes/**/*.node.json', 'nodes/**/*.svg'], { base: '.' }).pipe(
		dest('dist'),
	);
}

exports['build:icons'] = copyIconsAndCodex;
exports.default = copyIconsAndCodex;
