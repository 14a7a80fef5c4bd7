"""US area codes Voxi offers numbers in, with their city and state (signup's area-code picker)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AreaCode:
    code: str
    city: str
    state: str


_DATA = """
205 Birmingham AL|251 Mobile AL|256 Huntsville AL|334 Montgomery AL
480 Mesa AZ|520 Tucson AZ|602 Phoenix AZ|623 Glendale AZ
209 Stockton CA|213 Los Angeles CA|310 Santa Monica CA|323 Los Angeles CA|408 San Jose CA
415 San Francisco CA|510 Oakland CA|559 Fresno CA|619 San Diego CA|626 Pasadena CA|714 Anaheim CA
818 Burbank CA|858 San Diego CA|916 Sacramento CA|949 Irvine CA
303 Denver CO|719 Colorado Springs CO|720 Denver CO|970 Fort Collins CO
203 New Haven CT|860 Hartford CT|302 Wilmington DE|202 Washington DC
239 Fort Myers FL|305 Miami FL|321 Orlando FL|407 Orlando FL|561 West Palm Beach FL
727 St. Petersburg FL|786 Miami FL|813 Tampa FL|850 Tallahassee FL|904 Jacksonville FL|954 Fort Lauderdale FL
404 Atlanta GA|470 Atlanta GA|478 Macon GA|678 Atlanta GA|706 Augusta GA|770 Marietta GA|912 Savannah GA
808 Honolulu HI|208 Boise ID
217 Springfield IL|309 Peoria IL|312 Chicago IL|630 Naperville IL|708 Oak Park IL
773 Chicago IL|847 Evanston IL
219 Gary IN|317 Indianapolis IN|574 South Bend IN|812 Evansville IN
319 Cedar Rapids IA|515 Des Moines IA|316 Wichita KS|913 Overland Park KS
502 Louisville KY|859 Lexington KY|225 Baton Rouge LA|504 New Orleans LA|318 Shreveport LA
207 Portland ME|301 Silver Spring MD|410 Baltimore MD|443 Baltimore MD
413 Springfield MA|508 Worcester MA|617 Boston MA|781 Lynn MA|978 Lowell MA
248 Troy MI|313 Detroit MI|517 Lansing MI|616 Grand Rapids MI|734 Ann Arbor MI
612 Minneapolis MN|651 St. Paul MN|952 Bloomington MN|601 Jackson MS
314 St. Louis MO|417 Springfield MO|816 Kansas City MO|406 Billings MT
402 Omaha NE|702 Las Vegas NV|775 Reno NV|603 Manchester NH
201 Jersey City NJ|609 Trenton NJ|732 New Brunswick NJ|973 Newark NJ|505 Albuquerque NM
212 New York NY|315 Syracuse NY|516 Hempstead NY|518 Albany NY|585 Rochester NY|646 New York NY
716 Buffalo NY|718 Brooklyn NY|914 Yonkers NY|917 New York NY
252 Greenville NC|336 Greensboro NC|704 Charlotte NC|910 Fayetteville NC|919 Raleigh NC|980 Charlotte NC
701 Fargo ND|216 Cleveland OH|330 Akron OH|419 Toledo OH|513 Cincinnati OH|614 Columbus OH|937 Dayton OH
405 Oklahoma City OK|918 Tulsa OK|503 Portland OR|541 Eugene OR
215 Philadelphia PA|267 Philadelphia PA|412 Pittsburgh PA|610 Allentown PA|717 Harrisburg PA
401 Providence RI|803 Columbia SC|843 Charleston SC|864 Greenville SC|605 Sioux Falls SD
423 Chattanooga TN|615 Nashville TN|865 Knoxville TN|901 Memphis TN
210 San Antonio TX|214 Dallas TX|254 Waco TX|281 Houston TX|361 Corpus Christi TX|409 Beaumont TX
469 Dallas TX|512 Austin TX|713 Houston TX|737 Austin TX|806 Lubbock TX|817 Fort Worth TX
832 Houston TX|915 El Paso TX|972 Dallas TX
385 Salt Lake City UT|801 Salt Lake City UT|802 Burlington VT
571 Arlington VA|703 Alexandria VA|757 Virginia Beach VA|804 Richmond VA
206 Seattle WA|253 Tacoma WA|360 Olympia WA|425 Bellevue WA|509 Spokane WA
304 Charleston WV|414 Milwaukee WI|608 Madison WI|920 Green Bay WI|307 Cheyenne WY
"""

AREA_CODES: dict[str, AreaCode] = {
    entry[:3]: AreaCode(entry[:3], entry[4:-3], entry[-2:])
    for line in _DATA.strip().splitlines()
    for entry in (part.strip() for part in line.split("|"))
}


def nearby_area_codes(area_code: str) -> list[str]:
    """Other codes to suggest: the same state first, then the numerically closest."""
    home = AREA_CODES.get(area_code)
    same_state = [c for c, a in AREA_CODES.items() if home and a.state == home.state and c != area_code]
    others = sorted(
        (c for c in AREA_CODES if c != area_code and c not in same_state),
        key=lambda c: abs(int(c) - int(area_code)) if area_code.isdigit() else 0,
    )
    return same_state + others
