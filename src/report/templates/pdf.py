# Prints gpsi's report pages to PDF with WeasyPrint: run by report::WritePdfs (src/report/pdf.cpp)
# as `python3 -c <this> DATE WORKER WORKERS HTML PDF [HTML PDF]...`; this worker prints the pages
# whose position modulo WORKERS is WORKER.
#
# The fonts, DejaVu Sans and WenQuanYi Micro Hei, are subset here once to the characters of every
# page (as the faces gpsi-sans and gpsi-cjk of style.css) and embedded as they are: WeasyPrint
# would subset each font again for every PDF, which takes a tenth of a second a page on DejaVu
# and on a whole CJK font seconds (Noto Sans CJK's CFF outlines: 2.7 s a page, hence a TrueType
# CJK font). Every worker subsets from all pages, so a PDF's bytes do not depend on how the
# pages were shared out.
import calendar
import datetime
import logging
import os
import subprocess
import sys
import tempfile


def fail(message):
    print(f"gpsi report --pdf: {message}", file=sys.stderr)
    sys.exit(2)


def font_file(pattern, expect, package):
    """The file and face index fontconfig gives for `pattern`; it must be the font `expect`."""
    try:
        out = subprocess.run(["fc-match", "--format=%{file}\n%{index}", pattern],
                             check=True, capture_output=True, text=True).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError) as e:
        fail(f"fontconfig cannot find {pattern}: {e} (Debian packages fontconfig, {package})")
    if expect not in out[0]:
        fail(f"no {pattern} font (fontconfig offers {out[0]}): install Debian's {package}")
    return out[0], int(out[1] or 0)


# The faces style.css names, and the Debian fonts they are subset from.
FACES = (("gpsi-sans", "DejaVu Sans", "DejaVuSans", "fonts-dejavu-core"),
         ("gpsi-cjk", "WenQuanYi Micro Hei", "wqy-microhei", "fonts-wqy-microhei"))


def faces(chars, folder):
    """@font-face rules for FACES, each subset to `chars`, regular and bold."""
    from fontTools import subset
    rules = []
    for family, name, expect, package in FACES:
        for weight, style in (("normal", "Regular"), ("bold", "Bold")):
            path, index = font_file(f"{name}:style={style}", expect, package)
            options = subset.Options()
            options.font_number = index
            options.layout_features = ["*"]
            options.name_IDs = ["*"]
            font = subset.load_font(path, options)
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=chars)
            subsetter.subset(font)
            out = os.path.join(folder, f"{family}-{weight}.{'otf' if 'CFF ' in font else 'ttf'}")
            font.save(out)
            rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
                         f'src: url("file://{out}"); }}')
    return "\n".join(rules)


def main():
    date, worker, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    jobs = list(zip(sys.argv[4::2], sys.argv[5::2]))
    # fontTools stamps the fonts it writes with SOURCE_DATE_EPOCH when it is set: the pinned date.
    day = datetime.date.fromisoformat(date)
    os.environ["SOURCE_DATE_EPOCH"] = str(calendar.timegm(day.timetuple()))
    try:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
    except ImportError:
        fail("WeasyPrint is not installed: install Debian's weasyprint")
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fonts = FontConfiguration()
    # With the characters style.css generates: list bullets, leaders and page numbers.
    chars = set("\u2022.0123456789")
    for html, _ in jobs:
        with open(html, encoding="utf-8") as f:
            chars.update(f.read())
    with tempfile.TemporaryDirectory() as folder:
        css = [weasyprint.CSS(string=faces(sorted(ord(c) for c in chars), folder), font_config=fonts)]
        for k, (html, pdf) in enumerate(jobs):
            if k % workers != worker:
                continue
            # optimize_size=(): WeasyPrint embeds the faces as given, already subset to the
            # edition's characters, instead of subsetting them again for every page (a page's
            # PDF is then some 60 kB larger, and prints in half the time).
            document = weasyprint.HTML(filename=html).render(stylesheets=css, font_config=fonts, optimize_size=())
            document.write_pdf(pdf + ".part")
            os.replace(pdf + ".part", pdf)


main()
