# Prints gpsi's report pages to PDF with WeasyPrint (src/report/pdf.cpp), in one of two modes:
#  - batch, for report::WritePdfs: `python3 -c <this> DATE EDITION HTML PDF [EDITION HTML PDF]...`,
#    run by each of its workers; a worker takes the next page no other has taken (the first to
#    create the file PDF.claim, which WritePdfs removes after), so a long page (the report's 21)
#    does not leave the other workers idle at the end; an edition's pages share their fonts;
#  - serve, for report::PdfPrinter (the server's pages on request): `python3 -c <this> --serve`
#    reads jobs `DATE<TAB>HTML<TAB>PDF` a line each on stdin and answers each with a line on
#    stdout, `ok` or `fail <why>`; WeasyPrint is imported once (0.8 s), not for every page.
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


class Failure(Exception):
    """A page that cannot be printed, with why."""


def fail(message):
    raise Failure(message)


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
    """@font-face rules for FACES, each subset to `chars`, regular and bold. A family with one
    weight (WenQuanYi Micro Hei) is subset once for both: fontconfig gives the same face."""
    from fontTools import subset
    rules = []
    for family, name, expect, package in FACES:
        done = {}
        for weight, style in (("normal", "Regular"), ("bold", "Bold")):
            path, index = font_file(f"{name}:style={style}", expect, package)
            if (path, index) in done:
                rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
                             f'src: url("file://{done[path, index]}"); }}')
                continue
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
            done[path, index] = out
            rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
                         f'src: url("file://{out}"); }}')
    return "\n".join(rules)


def pin(date):
    """fontTools stamps the fonts it writes with SOURCE_DATE_EPOCH when it is set: the pinned date."""
    day = datetime.date.fromisoformat(date)
    os.environ["SOURCE_DATE_EPOCH"] = str(calendar.timegm(day.timetuple()))


def load_weasyprint():
    # WeasyPrint finds Pango and its kin with ctypes.util.find_library, which for every name
    # ldconfig's cache lacks compiles a probe with gcc in the temporary folder: a third of the
    # import's time, and files left behind when the driver is killed. The cache alone finds
    # Debian's libraries.
    import ctypes.util
    ldconfig = getattr(ctypes.util, "_findSoname_ldconfig", None)
    if ldconfig:
        ctypes.util.find_library = ldconfig
    try:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
    except ImportError:
        fail("WeasyPrint is not installed: install Debian's weasyprint")
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return weasyprint, FontConfiguration


def page_chars(htmls):
    """Every character of the pages, with those style.css generates: bullets, leaders, page numbers."""
    chars = set("\u2022.0123456789")
    for html in htmls:
        with open(html, encoding="utf-8") as f:
            chars.update(f.read())
    return sorted(ord(c) for c in chars)


class Edition:
    """The faces of one edition's pages, subset to all their characters, in a font configuration
    of their own (two editions' faces have the same names)."""

    def __init__(self, weasyprint, font_configuration, htmls, folder):
        os.makedirs(folder)
        self.fonts = font_configuration()
        self.css = [weasyprint.CSS(string=faces(page_chars(htmls), folder), font_config=self.fonts)]

    def print(self, weasyprint, html, pdf):
        # optimize_size=(): WeasyPrint embeds the faces as given, already subset to the edition's
        # characters, instead of subsetting them again for every page (a page's PDF is then some
        # 60 kB larger, and prints in half the time).
        document = weasyprint.HTML(filename=html).render(stylesheets=self.css, font_config=self.fonts,
                                                         optimize_size=())
        document.write_pdf(pdf + ".part")
        os.replace(pdf + ".part", pdf)


def claim(pdf):
    """Whether this worker takes the page: the first to create PDF.claim does."""
    try:
        os.close(os.open(pdf + ".claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        return True
    except FileExistsError:
        return False


def batch(argv):
    date, jobs = argv[0], list(zip(argv[1::3], argv[2::3], argv[3::3]))
    pin(date)
    weasyprint, font_configuration = load_weasyprint()
    pages = {}
    for edition, html, _ in jobs:
        pages.setdefault(edition, []).append(html)
    editions = {}
    with tempfile.TemporaryDirectory() as folder:
        for edition, html, pdf in jobs:
            if not claim(pdf):
                continue
            if edition not in editions:
                # From all the edition's pages, in every worker: a PDF's bytes do not depend on
                # how the pages were shared out, nor on the other editions printed with it.
                editions[edition] = Edition(weasyprint, font_configuration, pages[edition],
                                            os.path.join(folder, edition))
            editions[edition].print(weasyprint, html, pdf)


def die_with_parent():
    """The server's printer ends when the server does, even when it is killed (Linux's
    PR_SET_PDEATHSIG): no printer is left running, nor writing in the server's temporary folder."""
    import ctypes
    import signal
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the server ended before prctl
        sys.exit(0)


def serve():
    """One job a line until stdin closes; a page that fails is answered, the worker goes on."""
    die_with_parent()
    weasyprint, font_configuration = load_weasyprint()
    for line in sys.stdin:
        try:
            date, html, pdf = line.rstrip("\n").split("\t")
            pin(date)
            # An edition of its own for each page: its faces subset to the page's characters.
            with tempfile.TemporaryDirectory() as folder:
                Edition(weasyprint, font_configuration, [html], os.path.join(folder, "page")).print(
                    weasyprint, html, pdf)
            answer = "ok"
        except Exception as e:  # noqa: BLE001 - any failure of one page is that page's answer
            answer = "fail " + " ".join(str(e).split())
        print(answer, flush=True)


def main():
    try:
        if sys.argv[1:2] == ["--serve"]:
            serve()
        else:
            batch(sys.argv[1:])
    except Failure as e:
        print(f"gpsi report --pdf: {e}", file=sys.stderr)
        sys.exit(2)


main()
