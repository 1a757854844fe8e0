// Validates IATI activity files against a directory of XSDs the user supplies (the official 2.03 schemas are not kept
// in this repository): dotnet run scripts/iati-validate.cs -- <xsd-dir> <file.xml>...  Exit code 0 when every file is valid.
using System.Xml;
using System.Xml.Schema;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: iati-validate.cs <xsd-dir containing iati-activities-schema.xsd> <file.xml>...");
    return 2;
}

var schema = Path.Combine(args[0], "iati-activities-schema.xsd");
if (!File.Exists(schema))
{
    Console.Error.WriteLine($"{schema} not found: give the directory holding iati-activities-schema.xsd, iati-common.xsd and xml.xsd.");
    return 2;
}

var schemas = new XmlSchemaSet { XmlResolver = new XmlUrlResolver() };
schemas.Add(null, schema);
schemas.Compile();

var failed = 0;
foreach (var file in args.Skip(1))
{
    var errors = new List<string>();
    var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = schemas, DtdProcessing = DtdProcessing.Prohibit };
    settings.ValidationFlags |= XmlSchemaValidationFlags.ReportValidationWarnings;
    settings.ValidationEventHandler += (_, e) => errors.Add($"{e.Severity} line {e.Exception.LineNumber}, column {e.Exception.LinePosition}: {e.Message}");
    using (var reader = XmlReader.Create(file, settings))
    {
        while (reader.Read())
        {
        }
    }

    Console.WriteLine(errors.Count == 0 ? $"{file}: valid against {schema}" : $"{file}: {errors.Count} problem(s)");
    errors.ForEach(e => Console.WriteLine("  " + e));
    failed += errors.Count == 0 ? 0 : 1;
}

return failed == 0 ? 0 : 1;
