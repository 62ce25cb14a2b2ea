use super::*;

/// Real PxWebApi 2.0 response (json-stat2), table TAB638; see tests/fixtures/scb/README.md.
const V2: &str = include_str!("../../tests/fixtures/scb/TAB638-data-35e0e2-5aec69-POST.json");
/// Real PxWeb API v1 response (`json`), BefolkningNy by civil status and year.
const V1: &str = include_str!("../../tests/fixtures/scb/BefolkningNy-21059a-POST.json");

fn row(region: &str, year: &str, sex: Sex, age: Age, count: u64) -> PopulationRow {
    PopulationRow { region: region.into(), year: year.into(), sex, age, count }
}

fn single(age: u32) -> Age {
    Age::Years { from: age, to: Some(age) }
}

#[test]
fn real_json_stat2_sample() {
    let table = parse(V2.as_bytes()).unwrap();
    assert_eq!(table.rows, [row("00", "2024", Sex::Men, single(0), 50937)]);
    // Men only: no population per sex pair.
    assert_eq!(by_age_and_sex(&table, "00", &[(0, Some(0))]), Err(PopulationError::NoSexes("00".into())));
}

/// The v1 sample has no Region, Alder or Kon: the whole country, all ages, both sexes, summed
/// over civil status. The sums are Sweden's population at the end of 2015, 2016 and 2017.
#[test]
fn real_v1_sample() {
    let table = parse(V1.as_bytes()).unwrap();
    assert_eq!(
        table.rows,
        [
            row(RIKET, "2015", Sex::Both, Age::Total, 9_851_017),
            row(RIKET, "2016", Sex::Both, Age::Total, 9_995_153),
            row(RIKET, "2017", Sex::Both, Age::Total, 10_120_242),
        ]
    );
    assert_eq!(table.years(RIKET), ["2015", "2016", "2017"]);
    let err = by_age_and_sex(&table, RIKET, &[(16, None)]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the table holds several years for region 00 (2015, 2016, 2017); choose one, e.g. the latest, 2017"
    );
    assert_eq!(by_age_and_sex_in_year(&table, RIKET, "2017", &[(16, None)]), Err(PopulationError::NoAges("00".into())));
}

/// Hand-made json-stat2 document (not from SCB): one municipality, single ages 16–18, groups
/// 19-24, 25-64 and 65+, a total row, men and women, one null. Index given both as array and
/// object, as json-stat allows.
const HAND_MADE_V2: &str = r#"{
  "version": "2.0", "class": "dataset",
  "id": ["Region", "Alder", "Kon", "ContentsCode", "Tid"],
  "size": [1, 7, 2, 1, 1],
  "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
  "dimension": {
    "Region": {"category": {"index": {"1785": 0}, "label": {"1785": "Säffle"}}},
    "Alder": {"category": {"index": ["16", "17", "18", "19-24", "25-64", "65+", "tot"]}},
    "Kon": {"category": {"index": {"2": 1, "1": 0}, "label": {"1": "män", "2": "kvinnor"}}},
    "ContentsCode": {"category": {"index": {"BE0101N1": 0}, "label": {"BE0101N1": "Folkmängd"}}},
    "Tid": {"category": {"index": {"2024": 0}}}
  },
  "value": [100, 90, 110, 95, 120, 105, 600, 580, 2500, 2400, 1200, 1400, 4630, null]
}"#;

#[test]
fn hand_made_json_stat2_groups() {
    let table = parse(HAND_MADE_V2.as_bytes()).unwrap();
    assert_eq!(table.rows.len(), 13, "the null is skipped");
    assert!(table.rows.contains(&row("1785", "2024", Sex::Women, Age::Years { from: 65, to: None }, 1400)));
    assert!(table.rows.contains(&row("1785", "2024", Sex::Men, Age::Total, 4630)));
    let groups = [(16, Some(24)), (25, Some(64)), (65, None), (16, None), (17, Some(18))];
    assert_eq!(
        by_age_and_sex(&table, "1785", &groups).unwrap(),
        [[930, 870], [2500, 2400], [1200, 1400], [4630, 4670], [230, 200]]
    );
    let err = by_age_and_sex(&table, "1785", &[(16, Some(20))]).unwrap_err();
    assert_eq!(err.to_string(), "the table lacks men aged 19 in region 1785, needed for the age group 16-20");
    let err = by_age_and_sex(&table, "1785", &[(10, Some(20))]).unwrap_err();
    assert!(matches!(err, PopulationError::MissingAge { age: 10, .. }), "{err}");
    let err = by_age_and_sex(&table, "1785", &[(30, Some(20))]).unwrap_err();
    assert_eq!(err, PopulationError::EmptyGroup("30-20".into()));
    let err = by_age_and_sex(&table, "1780", &[(16, None)]).unwrap_err();
    assert_eq!(err.to_string(), "the table has no region 1780 (it has 1785)");
    let err = by_age_and_sex_in_year(&table, "1785", "2023", &[(16, None)]).unwrap_err();
    assert_eq!(err.to_string(), "the table has no year 2023 for region 1785 (it has 2024)");
    assert_eq!(by_age_and_sex(&table, "1785", &[]).unwrap(), Vec::<[u64; 2]>::new());
}

/// Hand-made v1 `json` document (not from SCB): two regions, ages 0-4 written "-4" and 5-9, both
/// sexes and their sum, two measures of which one is the population, values as strings, ".." for
/// a missing value.
const HAND_MADE_V1: &str = r#"{
  "columns": [
    {"code": "Region", "text": "region", "type": "d"},
    {"code": "Kon", "text": "kön", "type": "d"},
    {"code": "Alder", "text": "ålder", "type": "d"},
    {"code": "Tid", "text": "år", "type": "t"},
    {"code": "BE0101N1", "text": "Folkmängd", "type": "c"},
    {"code": "BE0101N2", "text": "Folkökning", "type": "c"}
  ],
  "data": [
    {"key": ["1785", "1", "-4", "2024"], "values": ["300", "-3"]},
    {"key": ["1785", "1", "5-9", "2024"], "values": ["320", ".."]},
    {"key": ["1785", "2", "-4", "2024"], "values": ["290", "2"]},
    {"key": ["1785", "2", "5-9", "2024"], "values": ["310", "1"]},
    {"key": ["1785", "1+2", "-4", "2024"], "values": ["590", "-1"]},
    {"key": ["1780", "1", "-4", "2024"], "values": ["..", "0"]},
    {"key": ["1780", "2", "-4", "2024"], "values": ["4000", "0"]}
  ]
}"#;

#[test]
fn hand_made_v1_groups() {
    let table = parse(HAND_MADE_V1.as_bytes()).unwrap();
    assert_eq!(table.rows.len(), 6, "the missing value is skipped");
    assert!(table.rows.contains(&row("1785", "2024", Sex::Both, Age::Years { from: 0, to: Some(4) }, 590)));
    assert_eq!(by_age_and_sex(&table, "1785", &[(0, Some(9)), (0, Some(4))]).unwrap(), [[620, 600], [300, 290]]);
    // A five-year group cannot be split.
    let err = by_age_and_sex(&table, "1785", &[(0, Some(2))]).unwrap_err();
    assert!(matches!(err, PopulationError::MissingAge { age: 0, .. }), "{err}");
    // 1780 lacks the men's value.
    let err = by_age_and_sex(&table, "1780", &[(0, Some(4))]).unwrap_err();
    assert_eq!(err, PopulationError::NoSexes("1780".into()));
}

/// Hand-made json-stat2 with the given dimensions (code, categories) and values.
fn json_stat2(dimensions: &[(&str, &[&str])], values: &str) -> String {
    let ids: Vec<String> = dimensions.iter().map(|(c, _)| format!("{c:?}")).collect();
    let sizes: Vec<String> = dimensions.iter().map(|(_, cs)| cs.len().to_string()).collect();
    let dims: Vec<String> = dimensions
        .iter()
        .map(|(c, cs)| {
            let index: Vec<String> = cs.iter().map(|c| format!("{c:?}")).collect();
            format!("{c:?}: {{\"category\": {{\"index\": [{}]}}}}", index.join(","))
        })
        .collect();
    format!(
        r#"{{"class": "dataset", "id": [{}], "size": [{}], "dimension": {{{}}}, "value": {values}}}"#,
        ids.join(","),
        sizes.join(","),
        dims.join(",")
    )
}

fn parse_str(text: &str) -> Result<PopulationTable, PopulationError> {
    parse(text.as_bytes())
}

#[test]
fn civil_status_is_summed_unless_it_has_a_total() {
    let text = json_stat2(&[("Civilstand", &["OG", "G"]), ("Kon", &["1"]), ("Tid", &["2024"])], "[3, 4]");
    assert_eq!(parse_str(&text).unwrap().rows, [row(RIKET, "2024", Sex::Men, Age::Total, 7)]);
    let text = json_stat2(&[("Civilstand", &["OG", "TOT"]), ("Tid", &["2024"])], "[3, 4]");
    assert!(matches!(parse_str(&text), Err(PopulationError::SeveralCategories { .. })));
}

#[test]
fn bad_inputs_say_what_is_wrong() {
    let err = |text: &str| parse_str(text).unwrap_err().to_string();
    let csv = "kommun_kod,kommun_namn,population\n0114,Upplands Väsby,50295\n";
    assert_eq!(err(csv), "not valid JSON (line 1, column 1: expected value); download the table from SCB as JSON");
    assert_eq!(
        err("{\"class\": \"dataset\",\n  \"id\": [}").split(';').next(),
        Some("not valid JSON (line 2, column 10: expected value)")
    );
    assert!(err("[1, 2]").starts_with("not a PxWeb table"));
    assert!(err("{}").starts_with("not a PxWeb table"));
    assert!(err(r#"{"class": "collection", "link": {}}"#).contains("collection"));
    let year = ("Tid", &["2024"][..]);
    assert_eq!(err(&json_stat2(&[year], "[1, 2]")), "not a PxWeb table: 2 values for 1 cells");
    assert_eq!(err(&json_stat2(&[year], "[-5]")), "the value -5 of Tid 2024 is not a whole number of people");
    assert_eq!(err(&json_stat2(&[year], "[1.5]")), "the value 1.5 of Tid 2024 is not a whole number of people");
    assert_eq!(err(&json_stat2(&[year], "[\"x\"]")), "the value \"x\" of Tid 2024 is not a whole number of people");
    assert_eq!(err(&json_stat2(&[year], "[null]")), "the table holds no population");
    assert_eq!(parse_str(&json_stat2(&[year], "[12.0]")).unwrap().rows[0].count, 12);
    assert_eq!(parse_str(&json_stat2(&[year], r#"{"0": 12}"#)).unwrap().rows[0].count, 12);
    assert_eq!(err(&json_stat2(&[("Region", &["00"])], "[1]")), "no year dimension (Tid); download the table with it");
    assert_eq!(
        err(&json_stat2(&[("Kon", &["1", "3"]), year], "[1, 2]")),
        "dimension Kon has the unknown code \"3\" (expected 1, 2 or 1+2)"
    );
    assert_eq!(
        err(&json_stat2(&[("Alder", &["20-10"]), year], "[1]")),
        "dimension Alder has the unknown code \"20-10\" (expected ages like 0, 15-19, 100+ or tot)"
    );
    assert_eq!(
        err(&json_stat2(&[("Hushallstyp", &["ESUB", "SBUB"]), year], "[1, 2]")),
        "dimension Hushallstyp has several categories (ESUB, SBUB); select one when downloading"
    );
    assert_eq!(
        err(&json_stat2(&[("ContentsCode", &["A", "B"]), year], "[1, 2]")),
        "the table holds several measures (A, B); select only the population (Folkmängd) when downloading"
    );
    assert_eq!(
        err(&json_stat2(&[("Kon", &["1+2", "tot"]), year], "[1, 1]")),
        "the table holds Kon tot, Tid 2024 twice"
    );
    assert!(err(&json_stat2(&[("Kon", &["1"]), ("kön", &["2"]), year], "[1]")).contains("two sex (Kon) dimensions"));
    let civil = ("Civilstand", &["OG", "G"][..]);
    assert_eq!(
        err(&json_stat2(&[civil, year], "[18446744073709551615, 1]")),
        "the numbers in the table are too large to be populations"
    );
    let huge = r#"{"class": "dataset", "id": ["Tid"], "size": [1000000000000], "dimension": {"Tid": {"category": {"index": ["2024"]}}}, "value": []}"#;
    assert_eq!(err(huge), "not a PxWeb table: dimension Tid does not have 1000000000000 categories");
    let v1 = r#"{"columns": [{"code": "Tid", "type": "t"}, {"code": "X", "text": "Folkmängd", "type": "c"}],
                 "data": [{"key": ["2024"], "values": ["5"]}, {"key": ["2024"], "values": ["6"]}]}"#;
    assert_eq!(err(v1), "the table holds Tid 2024, ContentsCode X twice");
    let v1 = r#"{"columns": [{"code": "Tid", "type": "t"}, {"code": "X", "type": "c"}], "data": [{"key": [], "values": ["5"]}]}"#;
    assert_eq!(err(v1), "not a PxWeb table: a data row does not match the columns");
}

#[test]
fn ages_and_sexes_as_scb_codes_them() {
    assert_eq!(age("0"), Some(single(0)));
    assert_eq!(age("100+"), Some(Age::Years { from: 100, to: None }));
    assert_eq!(age("15-19"), Some(Age::Years { from: 15, to: Some(19) }));
    assert_eq!(age("-4"), Some(Age::Years { from: 0, to: Some(4) }));
    assert_eq!(age("tot"), Some(Age::Total));
    assert_eq!(age("TOT"), Some(Age::Total));
    for bad in ["", "-", "15-", "+", "x", "1 5", "-1-2", "99999999999", "+5"] {
        assert_eq!(age(bad), None, "{bad:?}");
    }
    assert_eq!([sex("1"), sex("2"), sex("1+2"), sex("3")], [Some(Sex::Men), Some(Sex::Women), Some(Sex::Both), None]);
}

/// Hand-made age codes over ages 0–6 where `6+` is the oldest: (code, first age, last age).
const AGE_CODES: [(&str, usize, usize); 13] = [
    ("0", 0, 0),
    ("1", 1, 1),
    ("2", 2, 2),
    ("3", 3, 3),
    ("4", 4, 4),
    ("5", 5, 5),
    ("6+", 6, 6),
    ("-4", 0, 4),
    ("0-2", 0, 2),
    ("3-4", 3, 4),
    ("2-3", 2, 3),
    ("5+", 5, 6),
    ("tot", 0, 6),
];

proptest::proptest! {
    /// Generated (hand-made) consistent tables, with any mix of overlapping single ages and age
    /// groups, and missing cells: a group's population, when the table covers it, is the sum of
    /// the single ages in it.
    #[test]
    fn groups_sum_the_ages_they_cover(
        codes in proptest::sample::subsequence(AGE_CODES.to_vec(), 1..=AGE_CODES.len()),
        population in proptest::collection::vec(0u64..1000, 14),
        missing in proptest::collection::vec(proptest::bool::weighted(0.1), 26),
        groups in proptest::collection::vec((0u32..7, proptest::option::of(0u32..7)), 1..4),
    ) {
        let values: Vec<String> = codes
            .iter()
            .flat_map(|&(_, first, last)| [0, 7].map(|sex| population[sex + first..=sex + last].iter().sum::<u64>()))
            .zip(&missing)
            .map(|(value, &missing)| if missing { "null".into() } else { value.to_string() })
            .collect();
        let ages: Vec<&str> = codes.iter().map(|(code, _, _)| *code).collect();
        let text = json_stat2(&[("Alder", &ages), ("Kon", &["1", "2"]), ("Tid", &["2024"])], &format!("[{}]", values.join(",")));
        let table = match parse_str(&text) {
            Err(PopulationError::Empty) => return Ok(()), // every cell missing
            table => table.unwrap(),
        };
        for &(from, to) in &groups {
            let Ok(sums) = by_age_and_sex(&table, RIKET, &[(from, to)]) else { continue };
            let last = to.unwrap_or(6) as usize;
            let expected = [0, 7].map(|sex| population[sex + from as usize..=sex + last].iter().sum::<u64>());
            // `6+` is open: a closed group ending at 6 cannot be covered by it.
            proptest::prop_assert!(to != Some(6));
            proptest::prop_assert_eq!(sums, vec![expected]);
        }
    }
}
