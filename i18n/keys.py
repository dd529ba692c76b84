"""Every key chosen at run time, in tables of literal keys: `t(COUNTRY[currency], lang)`, never
`t(f"country_{currency}", lang)`. `N_()` marks each key, so `pybabel extract` and tests/test_catalogue.py see
every key the code uses. A code missing from a table is a KeyError, as a missing message always was; the
tests check each table against the codes the layer below defines.
"""

from __future__ import annotations

from i18n.catalogue import N_

#: Country and currency, by currency code (data.market.series.CURRENCIES).
COUNTRY: dict[str, str] = {
    "BOB": N_("country_BOB"),
    "COP": N_("country_COP"),
    "MNT": N_("country_MNT"),
    "PEN": N_("country_PEN"),
    "USD": N_("country_USD"),
}

#: Units of weight, by code (analytics.units).
UNIT: dict[str, str] = {
    "g": N_("unit_g"),
    "kg": N_("unit_kg"),
    "oz": N_("unit_oz"),
    "castellano": N_("unit_castellano"),
    "tomin": N_("unit_tomin"),
}

#: The likely mistake behind a price file in the wrong unit (data.market.plausibility), by cause.
UNIT_CAUSE: dict[str, str] = {
    "factor": N_("unit_cause_factor"),
    "hundred": N_("unit_cause_hundred"),
    "inverted": N_("unit_cause_inverted"),
    "outside": N_("unit_cause_outside"),
    "per_gram": N_("unit_cause_per_gram"),
    "thousand_times": N_("unit_cause_thousand_times"),
    "thousands": N_("unit_cause_thousands"),
}

#: Certifications, by code (analytics.premiums.CERTIFICATIONS).
CERTIFICATION: dict[str, str] = {
    "none": N_("cert_none"),
    "fairmined": N_("cert_fairmined"),
    "fairmined_ecological": N_("cert_fairmined_ecological"),
    "fairtrade": N_("cert_fairtrade"),
}

#: A certified sale against the 95 % minimum price, by state.
MINIMUM_STATE: dict[str, str] = {
    "below": N_("minimum_below"),
    "meets": N_("minimum_meets"),
    "near": N_("minimum_near"),
}

#: Forecast models, by name (analytics.forecast; `auto` is the page's choice).
MODEL: dict[str, str] = {
    "arima": N_("model_arima"),
    "auto": N_("model_auto"),
    "combination": N_("model_combination"),
    "ets_damped": N_("model_ets_damped"),
    "random_walk": N_("model_random_walk"),
    "random_walk_drift": N_("model_random_walk_drift"),
    "theta": N_("model_theta"),
}

#: The models as a manager reads them, outside the Forecast page's "Detalles técnicos" (no "ARIMA", no
#: "paseo aleatorio"); the technical names (MODEL) stay in the details, the leaderboard and the downloads.
MODEL_PLAIN: dict[str, str] = {
    **MODEL,
    "arima": N_("model_arima_plain"),
    "ets_damped": N_("model_ets_damped_plain"),
    "random_walk": N_("model_random_walk_plain"),
    "random_walk_drift": N_("model_random_walk_drift_plain"),
    "theta": N_("model_theta_plain"),
}

#: Today's sell-timing reading, by recommendation (analytics.timing).
RECOMMENDATION: dict[str, str] = {
    "hold": N_("rec_hold"),
    "sell_now": N_("rec_sell_now"),
    "sell_part": N_("rec_sell_part"),
}

#: Sell policies of the backtest, by code (analytics.timing.POLICIES).
POLICY: dict[str, str] = {
    "above_ma50": N_("policy_above_ma50"),
    "signal": N_("policy_signal"),
    "thirds": N_("policy_thirds"),
}

#: Sell-timing indicators, by name (analytics.timing).
INDICATOR: dict[str, str] = {
    "fx_position_1y": N_("ind_fx_position_1y"),
    "momentum_12m_pct": N_("ind_momentum_12m_pct"),
    "momentum_1m_pct": N_("ind_momentum_1m_pct"),
    "momentum_3m_pct": N_("ind_momentum_3m_pct"),
    "momentum_6m_pct": N_("ind_momentum_6m_pct"),
    "percentile_1y": N_("ind_percentile_1y"),
    "percentile_3y": N_("ind_percentile_3y"),
    "probability_higher": N_("ind_probability_higher"),
    "rsi14": N_("ind_rsi14"),
    "volatility_20d_pct": N_("ind_volatility_20d_pct"),
    "volatility_percentile_1y": N_("ind_volatility_percentile_1y"),
    "vs_ma200_pct": N_("ind_vs_ma200_pct"),
    "vs_ma50_pct": N_("ind_vs_ma50_pct"),
}

#: A user's role, by code.
ROLE: dict[str, str] = {
    "member": N_("role_member"),
    "staff": N_("role_staff"),
}

#: Why demo data stand in, by code (data.market.market_data.REASON_CODES).
DEMO_REASON: dict[str, str] = {
    "offline_mode": N_("demo_reason_offline_mode"),
    "no_connection": N_("demo_reason_no_connection"),
    "yahoo_empty": N_("demo_reason_yahoo_empty"),
    "rate_limited": N_("demo_reason_rate_limited"),
    "not_tried": N_("demo_reason_not_tried"),
}

#: Why the last Yahoo fetch failed, by code (data.market.market_data.REASON_CODES), in a few words.
FETCH_REASON: dict[str, str] = {
    "offline_mode": N_("fetch_reason_offline_mode"),
    "no_connection": N_("fetch_reason_no_connection"),
    "yahoo_empty": N_("fetch_reason_yahoo_empty"),
    "rate_limited": N_("fetch_reason_rate_limited"),
    "not_tried": N_("fetch_reason_not_tried"),
}

#: A country by name alone, by currency code (a sentence names Colombia, not "Colombia (COP)").
COUNTRY_NAME: dict[str, str] = {
    "BOB": N_("country_name_BOB"),
    "COP": N_("country_name_COP"),
    "MNT": N_("country_name_MNT"),
    "PEN": N_("country_name_PEN"),
    "USD": N_("country_name_USD"),
}

#: Analytics errors, by code (analytics.errors.CodedError).
ERROR: dict[str, str] = {
    "hold_settings": N_("error_hold_settings"),
    "horizon_range": N_("error_horizon_range"),
    "horizon_step": N_("error_horizon_step"),
    "no_complete_lot": N_("error_no_complete_lot"),
    "no_gold_in_period": N_("error_no_gold_in_period"),
    "no_origin": N_("error_no_origin"),
    "no_price_before": N_("error_no_price_before"),
    "no_value_before": N_("error_no_value_before"),
    "not_enough_data": N_("error_not_enough_data"),
    "not_enough_to_forecast": N_("error_not_enough_to_forecast"),
    "period_reversed": N_("error_period_reversed"),
    "period_unreadable": N_("error_period_unreadable"),
    "series_ended": N_("error_series_ended"),
    "stale_value": N_("error_stale_value"),
    "unknown_model": N_("error_unknown_model"),
    "unknown_policy": N_("error_unknown_policy"),
}

#: Sell-timing reasons, by code (analytics.timing.Reason).
REASON: dict[str, str] = {
    "above_ma200": N_("reason_above_ma200"),
    "below_ma200": N_("reason_below_ma200"),
    "fx_weak": N_("reason_fx_weak"),
    "price_high": N_("reason_price_high"),
    "price_low": N_("reason_price_low"),
    "probability": N_("reason_probability"),
    "rsi_high": N_("reason_rsi_high"),
    "rsi_low": N_("reason_rsi_low"),
}

#: A wrong field of a buyer's offer, by code (analytics.offers.OfferError).
OFFER_ERROR: dict[str, str] = {
    "buyer": N_("offers_error_buyer"),
    "fee_per_g": N_("offers_error_fee_per_g"),
    "fineness": N_("offers_error_fineness"),
    "fixed_fee": N_("offers_error_fixed_fee"),
    "gross_g": N_("offers_error_gross_g"),
    "missing": N_("offers_error_missing"),
    "payment_days": N_("offers_error_payment_days"),
    "price_pct": N_("offers_error_price_pct"),
}

#: Import problems, by code (data.files.parsing.ENGLISH).
PROBLEM: dict[str, str] = {
    "gross_net_mismatch": N_("problem_gross_net_mismatch"),
    "no_rate": N_("problem_no_rate"),
    "sum_row": N_("problem_sum_row"),
    "premium_implausible": N_("problem_premium_implausible"),
    "bad_csv": N_("problem_bad_csv"),
    "bad_encoding": N_("problem_bad_encoding"),
    "bad_workbook": N_("problem_bad_workbook"),
    "date_in_future": N_("problem_date_in_future"),
    "date_too_old": N_("problem_date_too_old"),
    "date_unreadable": N_("problem_date_unreadable"),
    "duplicate_date": N_("problem_duplicate_date"),
    "duplicate_date_conflict": N_("problem_duplicate_date_conflict"),
    "duplicate_sale_id": N_("problem_duplicate_sale_id"),
    "extreme_move": N_("problem_extreme_move"),
    "file_empty": N_("problem_file_empty"),
    "file_too_large": N_("problem_file_too_large"),
    "fine_gold_mismatch": N_("problem_fine_gold_mismatch"),
    "fineness_out_of_range": N_("problem_fineness_out_of_range"),
    "header_only": N_("problem_header_only"),
    "message": N_("problem_message"),
    "missing_columns": N_("problem_missing_columns"),
    "missing_currency": N_("problem_missing_currency"),
    "missing_value": N_("problem_missing_value"),
    "cell_too_long": N_("problem_cell_too_long"),
    "negative": N_("problem_negative"),
    "no_benchmark": N_("problem_no_benchmark"),
    "no_row_stored": N_("problem_no_row_stored"),
    "not_positive": N_("problem_not_positive"),
    "not_text": N_("problem_not_text"),
    "number_ambiguous": N_("problem_number_ambiguous"),
    "number_not_finite": N_("problem_number_not_finite"),
    "number_too_large": N_("problem_number_too_large"),
    "number_unreadable": N_("problem_number_unreadable"),
    "ohlc_impossible": N_("problem_ohlc_impossible"),
    "outside_scope": N_("problem_outside_scope"),
    "price_implausible": N_("problem_price_implausible"),
    "series_conflict": N_("problem_series_conflict"),
    "series_undetected": N_("problem_series_undetected"),
    "sheet_empty": N_("problem_sheet_empty"),
    "sheet_no_header": N_("problem_sheet_no_header"),
    "stored_different": N_("problem_stored_different"),
    "too_long": N_("problem_too_long"),
    "too_many_cells": N_("problem_too_many_cells"),
    "too_many_columns": N_("problem_too_many_columns"),
    "too_many_rows": N_("problem_too_many_rows"),
    "total_row": N_("problem_total_row"),
    "unknown_certification": N_("problem_unknown_certification"),
    "unknown_currency": N_("problem_unknown_currency"),
    "unknown_mapped_columns": N_("problem_unknown_mapped_columns"),
    "unknown_series": N_("problem_unknown_series"),
    "unknown_unit": N_("problem_unknown_unit"),
    "unrecognised_format": N_("problem_unrecognised_format"),
    "value_empty": N_("problem_value_empty"),
    "value_impossible": N_("problem_value_impossible"),
    "value_missing": N_("problem_value_missing"),
    "value_not_positive": N_("problem_value_not_positive"),
    "value_too_large": N_("problem_value_too_large"),
    "weekend_date": N_("problem_weekend_date"),
    "workbook_empty": N_("problem_workbook_empty"),
    "workbook_too_large": N_("problem_workbook_too_large"),
    "workbook_too_many_parts": N_("problem_workbook_too_many_parts"),
    "workbook_too_much_text": N_("problem_workbook_too_much_text"),
    "wrong_cooperative": N_("problem_wrong_cooperative"),
    "wrong_unit_overlap": N_("problem_wrong_unit_overlap"),
    "wrong_unit_range": N_("problem_wrong_unit_range"),
}

#: Fields of a sale (the ledger's columns), by name.
FIELD: dict[str, str] = {
    "amount_received": N_("field_amount_received"),
    "gross_amount": N_("field_gross_amount"),
    "assay_charge": N_("field_assay_charge"),
    "buyer": N_("field_buyer"),
    "certification": N_("field_certification"),
    "cooperative": N_("field_cooperative"),
    "currency": N_("field_currency"),
    "date": N_("field_date"),
    "export_charge": N_("field_export_charge"),
    "fine_gold_g": N_("field_fine_gold_g"),
    "fineness": N_("field_fineness"),
    "flags": N_("field_flags"),
    "gross_weight": N_("field_gross_weight"),
    "gross_weight_g": N_("field_gross_weight_g"),
    "notes": N_("field_notes"),
    "premium_received_usd": N_("field_premium_received_usd"),
    "refining_charge": N_("field_refining_charge"),
    "royalties_paid": N_("field_royalties_paid"),
    "sale_id": N_("field_sale_id"),
    "transport_charge": N_("field_transport_charge"),
    "weight_unit": N_("field_weight_unit"),
    "withholding_paid": N_("field_withholding_paid"),
}

#: Table columns, by name (headers of tables and downloads).
COLUMN: dict[str, str] = {
    "action": N_("col_action"),
    "after": N_("col_after"),
    "all_in_pct": N_("col_all_in_pct"),
    "amount_received": N_("col_amount_received"),
    "as_of": N_("col_as_of"),
    "at": N_("col_at"),
    "banrep_value": N_("col_banrep_value"),
    "before": N_("col_before"),
    "benchmark_g": N_("col_benchmark_g"),
    "benchmark_price_per_g": N_("col_benchmark_price_per_g"),
    "benchmark_value": N_("col_benchmark_value"),
    "buy_price_95": N_("col_buy_price_95"),
    "buyer_price_pct": N_("col_buyer_price_pct"),
    "buyer_quote_pct": N_("col_buyer_quote_pct"),
    "buyer_quote": N_("col_buyer_quote"),
    "buyer_price_pct_weighted": N_("col_buyer_price_pct_weighted"),
    "change_pct": N_("col_change_pct"),
    "coverage_80": N_("col_coverage_80"),
    "coverage_80_model": N_("col_coverage_80_model"),
    "coverage_95": N_("col_coverage_95"),
    "coverage_95_model": N_("col_coverage_95_model"),
    "drawdown_pct": N_("col_drawdown_pct"),
    "due_usd": N_("col_due_usd"),
    "fine_g": N_("col_fine_g"),
    "fine_gold_g": N_("col_fine_gold_g"),
    "first": N_("col_first"),
    "fx": N_("col_fx"),
    "fx_change_pct": N_("col_fx_change_pct"),
    "fx_contribution_pp": N_("col_fx_contribution_pp"),
    "fx_per_usd": N_("col_fx_per_usd"),
    "gold_change_pct": N_("col_gold_change_pct"),
    "gold_contribution_pp": N_("col_gold_contribution_pp"),
    "gold_usd": N_("col_gold_usd"),
    "gold_usd_per_oz": N_("col_gold_usd_per_oz"),
    "gross_weight_g": N_("col_gross_weight_g"),
    "hi_80": N_("col_hi_80"),
    "hi_95": N_("col_hi_95"),
    "interval_score_80": N_("col_interval_score_80"),
    "interval_score_95": N_("col_interval_score_95"),
    "dm_p_value": N_("col_dm_p_value"),
    "dm_p_value_interval": N_("col_p_value"),
    "item": N_("col_item"),
    "kind": N_("col_kind"),
    "last": N_("col_last"),
    "line": N_("col_line"),
    "lo_80": N_("col_lo_80"),
    "lo_95": N_("col_lo_95"),
    "mae": N_("col_mae"),
    "mape": N_("col_mape"),
    "mape_pct": N_("col_mape_pct"),
    "mase": N_("col_mase"),
    "mean": N_("col_mean"),
    "meets_minimum_price": N_("col_meets_minimum_price"),
    "minimum": N_("col_minimum"),
    "minimum_reference": N_("col_minimum_reference"),
    "minimum_near_pp": N_("col_minimum_near_pp"),
    "minimum_state": N_("col_minimum_state"),
    "model": N_("col_model"),
    "money_vs_benchmark": N_("col_money_vs_benchmark"),
    "month": N_("col_month"),
    "month_average_value": N_("col_month_average_value"),
    "name": N_("col_name"),
    "net_pct": N_("col_net_pct"),
    "owed_usd": N_("col_owed_usd"),
    "p_value": N_("col_p_value"),
    "pct_of_benchmark": N_("col_pct_of_benchmark"),
    "premium_due_usd": N_("col_premium_due_usd"),
    "premium_owed_usd": N_("col_premium_owed_usd"),
    "premium_pct": N_("col_premium_pct"),
    "premium_pct_weighted": N_("col_premium_pct_weighted"),
    "premium_received_usd": N_("col_premium_received_usd"),
    "price": N_("col_price"),
    "price_per_g": N_("col_price_per_g"),
    "random_walk": N_("col_random_walk"),
    "realised_g": N_("col_realised_g"),
    "realised_price_per_g": N_("col_realised_price_per_g"),
    "reason": N_("col_reason"),
    "received_usd": N_("col_received_usd"),
    "rmae": N_("col_rmae"),
    "sale": N_("col_sale"),
    "sale_id": N_("col_sale_id"),
    "sales": N_("col_sales"),
    "seconds": N_("col_seconds"),
    "series": N_("col_series"),
    "signal": N_("col_signal"),
    "source": N_("col_source"),
    "source_spans": N_("col_source_spans"),
    "step": N_("col_step"),
    "text": N_("col_text"),
    "under_minimum": N_("col_under_minimum"),
    "updated": N_("col_updated"),
    "usd_per_kg_fine": N_("col_usd_per_kg_fine"),
    "user": N_("col_user"),
    "valid_from": N_("col_valid_from"),
    "value": N_("col_value"),
    "volatility_30d_pct": N_("col_volatility_30d_pct"),
    "vs_banrep": N_("col_vs_banrep"),
    "vs_benchmark": N_("col_vs_benchmark"),
    "vs_month_average": N_("col_vs_month_average"),
    "width_80": N_("col_width_80"),
    "width_80_pct": N_("col_width_80_pct"),
    "worst_premium_pct": N_("col_worst_premium_pct"),
    "year": N_("col_year"),
}

#: Workbook sheets, by name.
SHEET: dict[str, str] = {
    "backtest": N_("sheet_backtest"),
    "about": N_("sheet_about"),
    "by_buyer": N_("sheet_by_buyer"),
    "by_certification": N_("sheet_by_certification"),
    "by_month": N_("sheet_by_month"),
    "certification": N_("sheet_certification"),
    "certification_check": N_("sheet_certification_check"),
    "chart_benchmark": N_("sheet_chart_benchmark"),
    "countries": N_("sheet_countries"),
    "forecast": N_("sheet_forecast"),
    "gold": N_("sheet_gold"),
    "local_prices": N_("sheet_local_prices"),
    "notable_days": N_("sheet_notable_days"),
    "per_sale": N_("sheet_per_sale"),
    "performance": N_("sheet_performance"),
    "premiums_by_buyer": N_("sheet_premiums_by_buyer"),
    "premiums_by_cooperative": N_("sheet_premiums_by_cooperative"),
    "prices": N_("sheet_prices"),
    "sales": N_("sheet_sales"),
    "summary": N_("sheet_summary"),
    "under_minimum": N_("sheet_under_minimum"),
    "waterfall": N_("sheet_waterfall"),
    "what_if": N_("sheet_what_if"),
}

#: Stems of download file names, by name.
FILE: dict[str, str] = {
    "backtest": N_("file_backtest"),
    "briefing": N_("file_briefing"),
    "buyers": N_("file_buyers"),
    "buyers_per_quarter": N_("file_buyers_per_quarter"),
    "forecast": N_("file_forecast"),
    "gold": N_("file_gold"),
    "offers": N_("file_offers"),
    "premiums": N_("file_premiums"),
    "sales": N_("file_sales"),
}

#: What a price row or a series is: stored, demo, flagged, rejected.
KIND: dict[str, str] = {
    "demo": N_("kind_demo"),
    "flagged": N_("kind_flagged"),
    "rejected": N_("kind_rejected"),
    "stored": N_("kind_stored"),
}

#: Steps of the waterfall from benchmark value to net received (analytics.premiums.waterfall).
WATERFALL: dict[str, str] = {
    "all_in": N_("wf_all_in"),
    "benchmark_value": N_("wf_benchmark_value"),
    "buyer_quote": N_("wf_buyer_quote"),
    "charges": N_("wf_charges"),
    "buyer_price": N_("wf_buyer_price"),
    "royalties": N_("wf_royalties"),
    "withholding_advance": N_("wf_withholding_advance"),
    "certification_premium": N_("wf_certification_premium"),
    "net_received": N_("wf_net_received"),
}

#: Market series, by id (data.market.series), as a reader names them.
SERIES: dict[str, str] = {
    "GOLD_USD": N_("series_GOLD_USD"),
    "SILVER_USD": N_("series_SILVER_USD"),
    "USD_COP": N_("series_USD_COP"),
    "USD_PEN": N_("series_USD_PEN"),
    "USD_BOB": N_("series_USD_BOB"),
    "USD_MNT": N_("series_USD_MNT"),
}

#: Providers a series may come from (the part of a source before ":"), and two whole sources.
#: Price-file formats as a reader names them ("un archivo {format}").
FORMAT: dict[str, str] = {
    "fred": N_("format_fred"),
    "stooq": N_("format_stooq"),
    "trm": N_("format_trm"),
    "bcrp": N_("format_bcrp"),
    "yahoo_old": N_("format_yahoo"),
    "yahoo_new": N_("format_yahoo"),
    "yahoo_yfinance": N_("format_yahoo"),
    "generic": N_("format_generic"),
}

#: Exchange-rate kinds (data/market/rate_kinds.py) as a reader names them; a currency may name one its own way.
RATE_KIND: dict[str, str] = {
    "official": N_("rate_kind_official"),
    "reference": N_("rate_kind_reference"),
    "market": N_("rate_kind_market"),
}
RATE_KIND_OF_CURRENCY: dict[tuple[str, str], str] = {("reference", "BOB"): N_("rate_kind_reference_BOB")}

SOURCE: dict[str, str] = {
    "lbma": N_("source_lbma"),
    "lbma_am": N_("source_lbma_am"),
    "fred": N_("source_fred"),
    "stooq": N_("source_stooq"),
    "benchmark": N_("source_benchmark"),
    "trm": N_("source_trm"),
    "bcrp": N_("source_bcrp"),
    "bcrp:PD04638PD": N_("source_bcrp_interbank"),
    "demo": N_("source_demo"),
    "yahoo_gold_future": N_("source_yahoo_gold_future"),
}

#: Horizons of the performance table and the range selector (analytics.market.HORIZONS).
HORIZON: dict[str, str] = {
    "1D": N_("horizon_1D"),
    "1W": N_("horizon_1W"),
    "1M": N_("horizon_1M"),
    "3M": N_("horizon_3M"),
    "6M": N_("horizon_6M"),
    "YTD": N_("horizon_YTD"),
    "1Y": N_("horizon_1Y"),
    "5Y": N_("horizon_5Y"),
}

#: How a sentence about an import problem names a field ("el peso"), by field name.
PROBLEM_FIELD: dict[str, str] = {
    "sale_id": N_("problem_field_sale_id"),
    "date": N_("problem_field_date"),
    "gross_weight": N_("problem_field_gross_weight"),
    "gross_weight_g": N_("problem_field_gross_weight_g"),
    "fineness": N_("problem_field_fineness"),
    "fine_gold_g": N_("problem_field_fine_gold_g"),
    "currency": N_("problem_field_currency"),
    "amount_received": N_("problem_field_amount_received"),
    "gross_amount": N_("problem_field_gross_amount"),
    "premium_received_usd": N_("problem_field_premium_received_usd"),
    "refining_charge": N_("problem_field_refining_charge"),
    "assay_charge": N_("problem_field_assay_charge"),
    "transport_charge": N_("problem_field_transport_charge"),
    "export_charge": N_("problem_field_export_charge"),
    "royalties_paid": N_("problem_field_royalties_paid"),
    "withholding_paid": N_("problem_field_withholding_paid"),
    "value": N_("problem_field_value"),
    "buyer": N_("problem_field_buyer"),
    "cooperative": N_("problem_field_cooperative"),
    "certification": N_("problem_field_certification"),
    "notes": N_("problem_field_notes"),
    "weight_unit": N_("problem_field_weight_unit"),
}

#: The Open/High/Low columns of a Yahoo or Stooq file, as a problem sentence names them.
PROBLEM_COLUMN: dict[str, str] = {
    "Open": N_("problem_column_open"),
    "High": N_("problem_column_high"),
    "Low": N_("problem_column_low"),
}

#: The decimal mark a file writes, as a problem sentence names it.
DECIMAL_NAME: dict[str, str] = {"comma": N_("problem_decimal_comma"), "point": N_("problem_decimal_point")}


#: The sources `prices refresh` asks, as a sentence names them (services.refresh.KNOWN_SOURCES).
FETCH_SOURCE: dict[str, str] = {
    "lbma": N_("fetch_source_lbma"),
    "trm": N_("fetch_source_trm"),
    "bcrp": N_("fetch_source_bcrp"),
    "yahoo": N_("fetch_source_yahoo"),
}

#: Why a fetch of `prices refresh` failed: data.market.http_source's codes and a refused address; the codes
#: Yahoo's fetch shares (no connection, an empty answer, too many requests) are worded as FETCH_REASON.
FETCH_WHY: dict[str, str] = {
    "no_connection": N_("fetch_reason_no_connection"),
    "timeout": N_("fetch_why_timeout"),
    "refused": N_("fetch_why_refused"),
    "refused_address": N_("fetch_why_refused_address"),
    "empty": N_("fetch_why_empty"),
    "changed_format": N_("fetch_why_changed_format"),
    "yahoo_empty": N_("fetch_reason_yahoo_empty"),
    "rate_limited": N_("fetch_reason_rate_limited"),
}

#: Why a source was deliberately not asked (services.refresh).
FETCH_SKIPPED: dict[str, str] = {"offline_mode": N_("fetch_skipped_offline_mode")}
