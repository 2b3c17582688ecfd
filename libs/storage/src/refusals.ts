import { clickhouseErrorCode } from './clickhouse';

/**
 * ClickHouse error codes that mean "these rows cannot be parsed or stored", as opposed
 * to "the server cannot take writes" (unavailable, auth, missing table, too many parts).
 * An INSERT of fixed SQL that fails with one of these fails because of its data, so
 * splitting the rows finds the offending ones (ClickHouse src/Common/ErrorCodes.cpp).
 */
const ROW_DATA_ERROR_CODES = new Set([
  6, // CANNOT_PARSE_TEXT
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  32, // ATTEMPT_TO_READ_AFTER_EOF
  33, // CANNOT_READ_ALL_DATA
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  128, // TOO_LARGE_ARRAY_SIZE
  131, // TOO_LARGE_STRING_SIZE
  190, // SIZES_OF_ARRAYS_DOESNT_MATCH
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
  691, // UNKNOWN_ELEMENT_OF_ENUM (20.x+)
]);

/** True when ClickHouse refused an insert because of the rows it carried. */
export function refusesRowData(error: unknown): boolean {
  const code = clickhouseErrorCode(error);
  return code !== undefined && ROW_DATA_ERROR_CODES.has(code);
}
