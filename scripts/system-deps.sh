#!/usr/bin/env bash
# Installs the system programs some readers and tests use, where this machine allows:
#   tesseract + chi_sim  OCR of scanned PDF pages
#   libreoffice, catdoc  legacy .doc files; rendering test PDFs
#   fonts-noto-cjk       Chinese glyphs for rendered PDFs and screenshots
#   chromium             the review page's browser test
#   qpdf                 making an encrypted PDF for the hostile-input tests
# Without root or apt-get it only reports what is missing: the readers then give a
# clear reason per file and the tests that need a program skip with that reason.
set -u
missing=()
command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -q chi_sim \
  || missing+=(tesseract-ocr tesseract-ocr-chi-sim)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
command -v catdoc >/dev/null 2>&1 || missing+=(catdoc)
command -v qpdf >/dev/null 2>&1 || missing+=(qpdf)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } >/tmp/jixiao-apt.log 2>&1 \
    || echo "warning: apt-get could not install ${missing[*]} (see /tmp/jixiao-apt.log); OCR/.doc/browser features will report that they are unavailable"
else
  echo "note: not installed (needs root and apt-get): ${missing[*]}; OCR/.doc/browser features will report that they are unavailable"
fi
exit 0
