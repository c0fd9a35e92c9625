"""Writes the zip reader's test archive (zip.test.ts): a stored, a deflated and a directory entry, and a comment."""
import sys
import zipfile

with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr(zipfile.ZipInfo("extension/stored.txt"), "plain text", compress_type=zipfile.ZIP_STORED)
    z.writestr(zipfile.ZipInfo("extension/deflated.txt"), "x" * 5000, compress_type=zipfile.ZIP_DEFLATED)
    z.writestr("extension/dir/", "")
    z.comment = b"a comment"
