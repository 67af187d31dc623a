use super::*;

#[test]
fn enterprise_numbers_are_checked_with_mod_97() {
    let number = EnterpriseNumber::parse("0566.988.259").unwrap();
    assert_eq!(number.digits(), "0566988259");
    assert_eq!(number.to_string(), "0566.988.259");
    assert_eq!(EnterpriseNumber::parse("BE0566988259").unwrap(), number);
    assert_eq!(EnterpriseNumber::parse("566988259").unwrap(), number);
    for bad in [
        "0566.988.258",
        "2566988259",
        "05669882",
        "",
        "0566-988-25x",
        "BE",
    ] {
        let error = EnterpriseNumber::parse(bad).unwrap_err();
        assert_eq!(error.code, InvalidCode::InvalidEnterpriseNumber, "{bad}");
    }
    let generated = EnterpriseNumber::from_body(12_345_678).unwrap();
    assert_eq!(
        EnterpriseNumber::parse(generated.digits()).unwrap(),
        generated
    );
    assert!(generated.digits().starts_with('1'));
}

#[test]
fn national_numbers_follow_both_century_rules_and_bis() {
    let before_2000 = NationalNumber::parse("90.02.01-997.04").unwrap();
    assert_eq!(before_2000.to_string(), "90.02.01-997.04");
    assert!(!before_2000.is_bis());
    let from_2000 = NationalNumber::parse("03012522495").unwrap();
    assert_eq!(from_2000.digits(), "03012522495");
    for bad in [
        "90020199705",
        "9002019970",
        "90.13.01-997.xx",
        "90130199771",
    ] {
        assert!(NationalNumber::parse(bad).is_err(), "{bad}");
    }
    // A BIS number: month + 40, here with an unknown day.
    let body: u64 = 904_100_123;
    let check = 97 - body % 97;
    let bis = NationalNumber::parse(&format!("{body:09}{check:02}")).unwrap();
    assert!(bis.is_bis());
    // A national register number with day zero is refused.
    let body: u64 = 900_100_123;
    let check = 97 - body % 97;
    assert!(NationalNumber::parse(&format!("{body:09}{check:02}")).is_err());
    let made = NationalNumber::from_parts(85, 7, 14, 123).unwrap();
    assert_eq!(NationalNumber::parse(made.digits()).unwrap(), made);
}

#[test]
fn emails_are_lower_cased_and_shape_checked() {
    assert_eq!(
        Email::parse(" Anne@Commune.BE ").unwrap().as_str(),
        "anne@commune.be"
    );
    for bad in [
        "anne",
        "@commune.be",
        "anne@be",
        "an ne@commune.be",
        "anne@.be",
        "a@b@c.be",
    ] {
        assert!(Email::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn keys_refuse_spaces_and_overlong_names() {
    assert!(Key::parse("role", "dossier.read").is_ok());
    assert!(Key::parse("role", "GET").is_ok());
    assert!(Key::parse("role", "").is_err());
    assert!(Key::parse("role", "a b").is_err());
    assert!(Key::parse("role", &"x".repeat(129)).is_err());
}
