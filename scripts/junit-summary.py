"""Print one closing line, 'N passed, N failed, N skipped', from every JUnit file given."""
import glob
import sys
import xml.etree.ElementTree as ET

passed = failed = skipped = 0
for pattern in sys.argv[1:]:
    for path in glob.glob(pattern):
        for case in ET.parse(path).getroot().iter("testcase"):
            kinds = {child.tag for child in case}
            if kinds & {"failure", "error"}:
                failed += 1
            elif "skipped" in kinds:
                skipped += 1
            else:
                passed += 1
print("tests: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
sys.exit(1 if failed or not passed else 0)
